/**
 * Server-side printing: a list (or one object) as a `meta.k8s.io/v1` Table, the way the
 * upstream apiserver answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
 * (apiserver pkg/endpoints/handlers/response.go asTable). The server always prints every
 * column, wide ones included; kubectl hides priority-1 columns unless `-o wide`.
 */
import { errors } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { printerFor } from './printers.js';
import type { IncludeObject, PartialObjectMetadata, Table, TableColumnDefinition, TableListMeta, TableRow } from './types.js';

export interface ToTableOptions {
  now: Date;
  includeObject: IncludeObject;
  /**
   * Omit column definitions. A watch sends them with its first event only, so every later
   * event's one-row Table has none.
   */
  noHeaders?: boolean;
  /** The list's metadata; for a single object, pass its resourceVersion here. */
  listMeta?: TableListMeta;
}

export function tableColumns(group: string, resource: string): TableColumnDefinition[] {
  return printerFor(group, resource).columns.map((c) => ({ ...c }));
}

export function tableRow(group: string, resource: string, obj: KubeObject, now: Date): unknown[] {
  return printerFor(group, resource).print(obj, now).cells;
}

export function toTable(group: string, resource: string, objs: KubeObject[], options: ToTableOptions): Table {
  const printer = printerFor(group, resource);
  const rows = objs.map((obj): TableRow => {
    const printed = printer.print(obj, options.now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    const object = rowObject(obj, options.includeObject);
    if (object) row.object = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableListMeta(options.listMeta),
    columnDefinitions: options.noHeaders ? [] : tableColumns(group, resource),
    rows,
  };
}

function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | PartialObjectMetadata | undefined {
  switch (include) {
    case 'Object':
      return obj;
    case 'None':
      return undefined;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/** ListMeta fields are omitted when empty, as Go's omitempty does. */
function tableListMeta(listMeta: TableListMeta | undefined): TableListMeta {
  const metadata: TableListMeta = {};
  if (listMeta?.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta?.continue) metadata.continue = listMeta.continue;
  if (listMeta?.remainingItemCount !== undefined) metadata.remainingItemCount = listMeta.remainingItemCount;
  return metadata;
}

/**
 * The `includeObject` query parameter; absent or empty means Metadata. Any other value is
 * a 400 BadRequest worded as upstream's TableOptions validation.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Object' || value === 'Metadata') return value;
  throw errors.badRequest(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(value)}: must be 'Metadata', 'Object', 'None', or empty`,
  );
}

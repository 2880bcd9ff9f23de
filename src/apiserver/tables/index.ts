/**
 * Server-side printing (`as=Table`): Kubernetes' table columns and cell values for every
 * resource Switchboard serves. Pure functions; the request handler decides when to call them.
 */
export { formatAge, humanDuration } from './duration.js';
export { parseIncludeObject, tableColumns, tableRow, toTable, type ToTableOptions } from './table.js';
export type {
  IncludeObject,
  PartialObjectMetadata,
  Table,
  TableColumnDefinition,
  TableListMeta,
  TableRow,
  TableRowCondition,
} from './types.js';

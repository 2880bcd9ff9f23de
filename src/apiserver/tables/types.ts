/**
 * The `meta.k8s.io/v1` Table shapes (apimachinery pkg/apis/meta/v1 types.go) as they go on
 * the wire. Every field of a column definition is always present, as Go serialises them.
 */
import type { KubeObject, ObjectMeta } from '../../api/types.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: `string`, `integer`, `number`, `boolean`, `date` */
  type: string;
  /** OpenAPI format modifier; `name` marks the column that holds the object's name */
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `kubectl get -o wide` */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** `includeObject` of TableOptions: what each row carries besides its cells */
export type IncludeObject = 'None' | 'Object' | 'Metadata';

/** What one resource's printer produces for one object (cells plus row conditions). */
export interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

/** A resource's column definitions and the function that fills them. */
export interface Printer {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

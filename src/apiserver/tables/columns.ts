/** Column definition builders; every description is Switchboard's own short explanation. */
import type { TableColumnDefinition } from './types.js';

export const nameDescription =
  'The object\'s name: unique among objects of its kind in its namespace, chosen at creation (or generated from generateName) and never changed.';

export const creationTimestampDescription =
  'When the server created the object (RFC 3339, UTC); the Age column shows the time since then.';

interface ColumnOptions {
  type?: string;
  format?: string;
  wide?: boolean;
}

/** A column; `wide` columns (priority 1) appear only with `-o wide`. */
export function column(name: string, description: string, options: ColumnOptions = {}): TableColumnDefinition {
  return {
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description,
    priority: options.wide ? 1 : 0,
  };
}

export function nameColumn(options: { wide?: boolean } = {}): TableColumnDefinition {
  return column('Name', nameDescription, { format: 'name', wide: options.wide });
}

export function ageColumn(): TableColumnDefinition {
  return column('Age', creationTimestampDescription);
}

export function integerColumn(name: string, description: string): TableColumnDefinition {
  return column(name, description, { type: 'integer' });
}

export function wideColumn(name: string, description: string): TableColumnDefinition {
  return column(name, description, { wide: true });
}

/** The three wide columns every pod-template controller ends with. */
export function templateColumns(options: { selector: boolean }): TableColumnDefinition[] {
  const columns = [
    wideColumn('Containers', 'Names of the containers in the pod template.'),
    wideColumn('Images', 'Images the pod template\'s containers run.'),
  ];
  if (options.selector) columns.push(wideColumn('Selector', 'Label query selecting the pods this object manages.'));
  return columns;
}

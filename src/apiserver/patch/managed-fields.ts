/**
 * `metadata.managedFields` in and out. A manager is identified as upstream does: by name,
 * operation and subresource, plus the apiVersion for Update entries (an applier keeps one
 * entry across versions). Entries come out sorted: Apply before Update, then by time,
 * manager, apiVersion, subresource (apiserver managedfields encoding).
 */
import type { ManagedFieldsEntry } from '../../api/types.js';
import { FieldSet } from './fieldset.js';
import { isRecord } from './json.js';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

export function managerId(entry: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const version = entry.operation === 'Update' ? entry.apiVersion : '';
  return JSON.stringify([entry.manager, entry.operation, version, entry.subresource ?? '']);
}

/** Reads entries; malformed ones are skipped rather than failing the write. */
export function decodeManagedFields(value: unknown): Managers {
  const managers: Managers = new Map();
  if (!Array.isArray(value)) return managers;
  for (const raw of value) {
    const entry = decodeEntry(raw);
    if (!entry) continue;
    const id = managerId(entry);
    const existing = managers.get(id);
    if (existing) existing.set = existing.set.union(entry.set);
    else managers.set(id, entry);
  }
  return managers;
}

function decodeEntry(raw: unknown): ManagerEntry | undefined {
  if (!isRecord(raw) || typeof raw.manager !== 'string') return undefined;
  if (raw.operation !== 'Apply' && raw.operation !== 'Update') return undefined;
  const entry: ManagerEntry = {
    manager: raw.manager,
    operation: raw.operation,
    apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
    set: FieldSet.fromFieldsV1(raw.fieldsV1),
  };
  if (typeof raw.time === 'string') entry.time = raw.time;
  if (typeof raw.subresource === 'string' && raw.subresource !== '') entry.subresource = raw.subresource;
  return entry;
}

export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  return [...managers.values()].sort(compareEntries).map(encodeEntry);
}

function encodeEntry(entry: ManagerEntry): ManagedFieldsEntry {
  const out: ManagedFieldsEntry = {
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
  };
  if (entry.time !== undefined) out.time = entry.time;
  out.fieldsType = 'FieldsV1';
  out.fieldsV1 = entry.set.toFieldsV1();
  if (entry.subresource) out.subresource = entry.subresource;
  return out;
}

function compareEntries(a: ManagerEntry, b: ManagerEntry): number {
  return (
    compareText(a.operation, b.operation) ||
    compareText(a.time ?? '', b.time ?? '') ||
    compareText(a.manager, b.manager) ||
    compareText(a.apiVersion, b.apiVersion) ||
    compareText(a.subresource ?? '', b.subresource ?? '')
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

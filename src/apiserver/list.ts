/**
 * Lists: served from the watch cache when unpaged (consistent: the cache first catches up
 * with the store's current revision), and from the store when paged with limit/continue, so
 * every page of one list is read at the same revision.
 */
import { errors } from '../api/status.js';
import { groupVersion, type ResourceInfo } from '../api/resources.js';
import type { KubeList, KubeObject } from '../api/types.js';
import { isStorageError, type Store } from '../storage/types.js';
import { decodeObject } from './codec.js';
import type { WatchCache } from './cache.js';
import { resourcePrefix } from './keys.js';

export interface ListRequest {
  info: ResourceInfo;
  namespace?: string;
  filter: (obj: KubeObject) => boolean;
  resourceVersion?: string;
  limit?: number;
  continueToken?: string;
}

interface ContinueState {
  rv: number;
  start: string;
}

function encodeContinue(state: ContinueState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeContinue(token: string): ContinueState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueState>;
    if (typeof state.rv === 'number' && typeof state.start === 'string') return state as ContinueState;
  } catch {
    // fall through to the error below: a token that does not decode is the client's mistake
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function parseRevision(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
  return n;
}

export async function listObjects(store: Store, cache: WatchCache, req: ListRequest): Promise<KubeList> {
  if (req.limit || req.continueToken) return listPaged(store, req);
  const rv = parseRevision(req.resourceVersion);
  if (rv === undefined) {
    // Consistent read: from the cache once it has caught up with the store, else from the store
    // (the newest revision may belong to keys this cache does not watch, e.g. another cluster's prefix).
    if (!(await cache.waitFor(await store.currentRevision(), 250))) return listPaged(store, { ...req, limit: Number.MAX_SAFE_INTEGER });
  } else if (!(await cache.waitFor(rv))) {
    throw errors.timeout(`Too large resource version: ${rv}, current: ${cache.revision}`);
  }
  const prefix = resourcePrefix(req.info, req.namespace);
  const items = cache.list(req.info.plural, prefix).filter(req.filter);
  return listOf(req.info, items, { resourceVersion: String(cache.revision) });
}

async function listPaged(store: Store, req: ListRequest): Promise<KubeList> {
  let start: string | undefined;
  let revision: number | undefined;
  if (req.continueToken) {
    if (parseRevision(req.resourceVersion)) {
      throw errors.badRequest('specifying resource version is not allowed when using continue');
    }
    const state = decodeContinue(req.continueToken);
    start = state.start;
    revision = state.rv;
  } else {
    const rv = parseRevision(req.resourceVersion);
    revision = rv ? rv : undefined;
  }
  const limit = req.limit && req.limit > 0 ? req.limit : 500;
  const pageLimit = Math.min(limit, 5000);
  const prefix = resourcePrefix(req.info, req.namespace);
  const items: KubeObject[] = [];
  let more = true;
  let lastKey = start;
  try {
    while (items.length < limit && more) {
      const page = await store.list(prefix, { limit: Math.min(pageLimit, limit - items.length), startAfter: lastKey, revision });
      revision = page.revision;
      more = page.more;
      for (const kv of page.items) {
        lastKey = kv.key;
        const obj = decodeObject(kv);
        if (req.filter(obj)) items.push(obj);
      }
      if (page.items.length === 0) more = false;
    }
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      throw errors.gone(
        'The provided continue parameter is too old to display a consistent list result. Start a new list without the continue parameter.',
      );
    }
    throw err;
  }
  const metadata: KubeList['metadata'] = { resourceVersion: String(revision) };
  if (more && lastKey) metadata.continue = encodeContinue({ rv: revision ?? 0, start: lastKey });
  return listOf(req.info, items, metadata);
}

function listOf(info: ResourceInfo, items: KubeObject[], metadata: KubeList['metadata']): KubeList {
  return { apiVersion: groupVersion(info), kind: info.listKind, metadata, items };
}

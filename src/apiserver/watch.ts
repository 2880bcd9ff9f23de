/**
 * Watch streams: newline-delimited `{"type","object"}` events over a chunked response, fed
 * by the watch cache. A watch without a resourceVersion (or "0") starts with ADDED events
 * for the current state; one with a version continues exactly after it, or reports 410.
 * Selector watches turn objects that start or stop matching into ADDED and DELETED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../api/status.js';
import type { ResourceInfo } from '../api/resources.js';
import { groupVersion } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import type { CacheEvent, EventType, Subscription, WatchCache } from './cache.js';
import { ResourceVersionTooOld } from './cache.js';
import { resourcePrefix } from './keys.js';

export interface WatchRequest {
  info: ResourceInfo;
  namespace?: string;
  filter: (obj: KubeObject) => boolean;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** Turns an object into what goes in the event (a Table row when asked for). */
  encode: (obj: KubeObject, first: boolean) => unknown;
}

const bookmarkIntervalMs = 30_000;
/** A consumer this far behind is cut off; it relists, as client-go does on a closed watch. */
const maxBufferedBytes = 32 * 1024 * 1024;

export function serveWatch(req: IncomingMessage, res: ServerResponse, cache: WatchCache, w: WatchRequest): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  let first = true;
  let closed = false;
  let subscription: Subscription | undefined;
  const prefix = resourcePrefix(w.info, w.namespace);
  const send = (type: EventType | 'BOOKMARK' | 'ERROR', object: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
    if (res.writableLength > maxBufferedBytes) close();
  };
  const sendObject = (type: EventType, obj: KubeObject): void => {
    send(type, w.encode(obj, first));
    first = false;
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    subscription?.stop();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    res.end();
  };
  const bookmark = (annotations?: Record<string, string>): void =>
    send('BOOKMARK', {
      kind: w.info.kind,
      apiVersion: groupVersion(w.info),
      metadata: { resourceVersion: String(cache.revision), ...(annotations ? { annotations } : {}) },
    });
  const onEvents = (events: CacheEvent[]): void => {
    if (events.length === 0) return close();
    for (const e of events) {
      if (e.plural !== w.info.plural || !e.key.startsWith(prefix)) continue;
      const type = transition(e, w.filter);
      if (type) sendObject(type, e.object);
    }
  };

  const rv = w.resourceVersion;
  try {
    if (rv === undefined || rv === '' || rv === '0' || w.sendInitialEvents) {
      const start = cache.revision;
      for (const obj of cache.list(w.info.plural, prefix)) if (w.filter(obj)) sendObject('ADDED', obj);
      if (w.sendInitialEvents && w.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
      subscription = cache.subscribe(start, onEvents);
    } else {
      const after = Number(rv);
      if (!Number.isInteger(after) || after < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
      subscription = cache.subscribe(after, onEvents);
    }
  } catch (err) {
    if (err instanceof ResourceVersionTooOld) {
      send('ERROR', errors.tooOldResourceVersion(err.requested, err.oldest).toStatus());
      res.end();
      return;
    }
    throw err;
  }
  const bookmarks = setInterval(() => w.allowBookmarks && bookmark(), bookmarkIntervalMs);
  const seconds = w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : 1800 + Math.floor(Math.random() * 1800);
  const timeout = setTimeout(close, seconds * 1000);
  req.on('close', close);
  res.on('close', close);
}

/** What a watcher with this filter sees of an event: ADDED/MODIFIED/DELETED, or nothing. */
function transition(e: CacheEvent, filter: (obj: KubeObject) => boolean): EventType | undefined {
  if (e.type === 'ADDED') return filter(e.object) ? 'ADDED' : undefined;
  if (e.type === 'DELETED') return filter(e.prevObject ?? e.object) ? 'DELETED' : undefined;
  const now = filter(e.object);
  const before = e.prevObject ? filter(e.prevObject) : false;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

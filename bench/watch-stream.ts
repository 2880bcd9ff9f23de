/**
 * One watch stream read line by line in this thread, each event handed over with the time
 * its chunk arrived. Used by the controllers section, where the events themselves (a pod's
 * Ready condition, a slice's endpoints) are the measurement.
 */
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { nowMs, type Client } from './lib.js';

export interface WatchedObject {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  status?: unknown;
  endpoints?: unknown;
}

export interface WatchEventLine {
  type: string;
  object: WatchedObject;
}

export interface WatchStream {
  /** Resolves when the server ends the stream (or it fails). */
  ended: Promise<string>;
  close(): void;
}

/** The resourceVersion a watch should start from: now, without listing what exists. */
export async function currentResourceVersion(client: Client, collectionPath: string): Promise<string> {
  const reply = await client.expect('GET', `${collectionPath}?labelSelector=bench-none%3Dnone`, [200]);
  const list = JSON.parse(reply.body.toString('utf8')) as { metadata?: { resourceVersion?: string } };
  const rv = list.metadata?.resourceVersion;
  if (!rv) throw new Error(`${collectionPath}: list without resourceVersion`);
  return rv;
}

export function openWatch(client: Client, collectionPath: string, resourceVersion: string, onEvent: (e: WatchEventLine, at: number) => void): WatchStream {
  const url = new URL(client.creds.server);
  const agent = new https.Agent({ keepAlive: false, ca: client.creds.ca, cert: client.creds.cert, key: client.creds.key });
  let req: ClientRequest | undefined;
  const ended = new Promise<string>((done) => {
    req = https.request(
      { method: 'GET', host: url.hostname, port: url.port, agent, path: `${collectionPath}?watch=1&resourceVersion=${resourceVersion}&allowWatchBookmarks=false` },
      (res) => {
        if (res.statusCode !== 200) {
          done(`watch ${collectionPath}: HTTP ${res.statusCode}`);
          res.resume();
          return;
        }
        let carry = '';
        res.on('data', (chunk: Buffer) => {
          const at = nowMs();
          const text = carry + chunk.toString('utf8');
          let start = 0;
          for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
            const line = text.slice(start, end);
            start = end + 1;
            if (line.length > 0) onEvent(JSON.parse(line) as WatchEventLine, at);
          }
          carry = text.slice(start);
        });
        res.on('end', () => done(`watch ${collectionPath}: ended by the server`));
        res.on('error', (err) => done(`watch ${collectionPath}: ${err.message}`));
      },
    );
    req.on('error', (err) => done(`watch ${collectionPath}: ${err.message}`));
    req.end();
  });
  return {
    ended,
    close() {
      req?.destroy();
      agent.destroy();
    },
  };
}

/** Whether a pod's Ready condition is True (undefined when it has none yet). */
export function isPodReady(pod: WatchedObject): boolean | undefined {
  const status = pod.status as { conditions?: { type?: string; status?: string }[] } | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return ready ? ready.status === 'True' : undefined;
}

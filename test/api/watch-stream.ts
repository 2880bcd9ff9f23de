/** Test helper: a raw watch stream, collecting events as they arrive. */
import https from 'node:https';
import type { Credentials } from './client.js';

export interface WatchEvent {
  type: string;
  object: { metadata: { name?: string; resourceVersion?: string }; [k: string]: unknown };
}

export interface WatchStream {
  events: WatchEvent[];
  status(): number;
  ended(): boolean;
  stop(): void;
  waitFor(predicate: (events: WatchEvent[]) => boolean, timeoutMs?: number): Promise<void>;
}

export function openWatch(creds: Credentials, path: string): WatchStream {
  const url = new URL(path, creds.server);
  const events: WatchEvent[] = [];
  let code = 0;
  let done = false;
  let buffer = '';
  const req = https.request(
    { method: 'GET', host: url.hostname, port: url.port, path: url.pathname + url.search, ca: creds.ca, cert: creds.cert, key: creds.key, agent: false },
    (res) => {
      code = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
        }
      });
      res.on('end', () => (done = true));
      res.on('error', () => (done = true));
    },
  );
  req.on('error', () => (done = true));
  req.end();
  return {
    events,
    status: () => code,
    ended: () => done,
    stop: () => req.destroy(),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`watch condition not met within ${timeoutMs} ms; ${events.length} events`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

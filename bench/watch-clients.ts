/**
 * The watchers of the fan-out benchmark, run in a worker thread so that parsing their
 * streams does not delay the writer's acknowledgements in the main thread.
 *
 * Each watcher is one HTTP/1.1 watch stream on its own TLS connection. For every write
 * index the worker keeps the time the LAST watcher received it, which is all the lag and
 * total-time figures need (and keeps memory at one number per write, not per watcher).
 */
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import { nowMs, type Credentials } from './lib.js';

export interface WatchClientsInput {
  creds: Credentials;
  /** Watch path, including resourceVersion so no initial events are sent. */
  path: string;
  watchers: number;
  writes: number;
  /** Prefix of the written objects' names; the write index follows it. */
  namePrefix: string;
  deadlineMs: number;
}

export interface WatchClientsResult {
  /** Per write index: time the last watcher received it (0 = some watcher never did). */
  lastReceivedAt: Float64Array;
  /** Watchers that received every write. */
  complete: number;
  /** Streams the server ended, or that failed, before they were complete. */
  endedEarly: number;
  errors: string[];
}

interface Watcher {
  received: number;
  carry: string;
  isComplete: boolean;
}

const input = workerData as WatchClientsInput;
const url = new URL(input.creds.server);
const agent = new https.Agent({ keepAlive: false, maxSockets: Infinity, ca: input.creds.ca, cert: input.creds.cert, key: input.creds.key });
const lastReceivedAt = new Float64Array(input.writes);
const receivedBy = new Uint16Array(input.writes);
const marker = `"name":"${input.namePrefix}`;
const requests: ClientRequest[] = [];
const errors: string[] = [];
let complete = 0;
let endedEarly = 0;
let finish: () => void = () => undefined;

/** Records every complete line of a chunk; the unfinished tail waits for the next chunk. */
function consume(watcher: Watcher, text: string, at: number): void {
  const all = watcher.carry + text;
  let start = 0;
  for (let end = all.indexOf('\n'); end !== -1; end = all.indexOf('\n', start)) {
    const m = all.indexOf(marker, start);
    if (m !== -1 && m < end) {
      const i = Number.parseInt(all.slice(m + marker.length, m + marker.length + 12), 10);
      if (i >= 0 && i < input.writes) record(watcher, i, at);
    }
    start = end + 1;
  }
  watcher.carry = all.slice(start);
}

function record(watcher: Watcher, i: number, at: number): void {
  receivedBy[i] = (receivedBy[i] ?? 0) + 1;
  if (receivedBy[i] === input.watchers) lastReceivedAt[i] = at;
  watcher.received++;
  if (watcher.received === input.writes && !watcher.isComplete) {
    watcher.isComplete = true;
    complete++;
    if (complete === input.watchers) finish();
  }
}

function openWatcher(): Promise<void> {
  const watcher: Watcher = { received: 0, carry: '', isComplete: false };
  return new Promise((opened, failed) => {
    const req = https.request({ method: 'GET', host: url.hostname, port: url.port, path: input.path, agent }, (res) => {
      if (res.statusCode !== 200) {
        failed(new Error(`watch answered HTTP ${res.statusCode ?? 0}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (text: string) => consume(watcher, text, nowMs()));
      res.on('end', () => {
        if (watcher.isComplete) return;
        endedEarly++;
        if (complete + endedEarly === input.watchers) finish();
      });
      opened();
    });
    req.on('error', (err) => {
      if (errors.length < 5) errors.push(err.message);
      failed(err);
    });
    req.end();
    requests.push(req);
  });
}

/** Opens the streams a few at a time: a thousand simultaneous TLS handshakes only queue up. */
async function openAll(): Promise<void> {
  let next = 0;
  const opener = async (): Promise<void> => {
    while (next < input.watchers) {
      next++;
      await openWatcher();
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, input.watchers) }, opener));
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('watch-clients runs as a worker thread');
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
    port.on('message', (message: unknown) => {
      if (message === 'stop') resolve();
    });
  });
  await openAll();
  port.postMessage({ type: 'ready' });
  const timer = setTimeout(finish, input.deadlineMs);
  await finished;
  clearTimeout(timer);
  for (const req of requests) req.destroy();
  agent.destroy();
  const result: WatchClientsResult = { lastReceivedAt, complete, endedEarly, errors };
  port.postMessage({ type: 'result', result });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
});

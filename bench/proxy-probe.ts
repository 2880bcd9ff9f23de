/**
 * The request loop of the proxy section, run inside a node's network namespace
 * (`nsenter --net=... node proxy-probe.js HOST PORT PATH PAUSE_MS`): a GET on a new connection
 * started every PAUSE_MS whatever the earlier ones are doing, each given up after 100 ms (below
 * TCP's first SYN retransmission at 1 s, so an answer means its first SYN got through when it
 * was sent). One JSON line on stdout each time the answer changes (the body, trimmed, which is
 * the answering pod's hostname, or `refused`, `status:<code>`, `error:<code>`) and for every
 * `timeout`. Times are process.hrtime in ms (CLOCK_MONOTONIC, the same clock in every process
 * here): `at` is when the attempt began, `prevAt` when the attempt before it began.
 * Stops when stdin closes.
 */
import http from 'node:http';

const ATTEMPT_TIMEOUT_MS = 100;
const MAX_IN_FLIGHT = 200;

const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** One GET on a fresh connection; resolves with the trimmed body or a failure state. */
function attempt(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `status:${res.statusCode ?? 0}`));
      res.on('error', () => resolve('error:response'));
    });
    const timer = setTimeout(() => {
      resolve('timeout');
      req.destroy();
    }, ATTEMPT_TIMEOUT_MS);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : `error:${err.code ?? err.message}`));
  });
}

async function main(argv: string[]): Promise<void> {
  const [host, port, path, pause] = argv;
  if (!host || !port || !path) throw new Error('usage: proxy-probe.js HOST PORT PATH [PAUSE_MS]');
  let stop = false;
  process.stdin.on('end', () => (stop = true)).resume();
  process.stdin.on('close', () => (stop = true));
  const pauseMs = Number(pause ?? 1);
  let last = '';
  let prevAt = 0;
  let attempts = 0;
  let inFlight = 0;
  const report = (state: string, at: number, before: number, n: number): void => {
    if (state === last && state !== 'timeout') return;
    last = state;
    process.stdout.write(`${JSON.stringify({ state, at, prevAt: before, attempts: n })}\n`);
  };
  process.stdout.write(`${JSON.stringify({ state: 'started', at: monoMs(), prevAt: 0, attempts: 0 })}\n`);
  while (!stop) {
    if (inFlight < MAX_IN_FLIGHT) {
      const at = monoMs();
      const before = prevAt;
      prevAt = at;
      const n = ++attempts;
      inFlight++;
      void attempt(host, Number(port), path).then((state) => {
        inFlight--;
        report(state, at, before, n);
      });
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`proxy-probe: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

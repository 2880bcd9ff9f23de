#!/usr/bin/env node
// Keep-alive HTTP requests/s through the native relay and through Node's pipe(), against a
// direct connection, with wrk on loopback. Needs `npm run build` (dist/) and the addon built.
//   node native/tcp-relay/bench.mjs [SECONDS=5] [CONNECTIONS=32] [ROUNDS=1]
// Each relay runs in a process of its own, as the userspace proxy does.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const wrapper = fileURLToPath(new URL('../../dist/src/lib/tcp-relay.js', import.meta.url));
const [role, arg] = process.argv.slice(2);

/** Listens on 127.0.0.1 and tells the parent the port on stdout. */
function announce(server) {
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.on('disconnect', () => process.exit(0));
}

if (role === 'server') {
  announce(http.createServer((req, res) => res.end('hello from upstream\n')));
} else if (role === 'native') {
  const { loadTcpRelay } = await import(wrapper);
  const relay = loadTcpRelay();
  if (!relay) throw new Error('tcp-relay addon not built: npm --prefix native/tcp-relay run build');
  const port = Number(arg);
  announce(
    net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      client.on('error', () => client.destroy());
      relay.relay(client, '127.0.0.1', port, 1000, { onFailed: () => client.resetAndDestroy() });
    }),
  );
} else if (role === 'pipe') {
  // What src/proxy/userspace-child.ts does today.
  const port = Number(arg);
  announce(
    net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      const upstream = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    }),
  );
} else {
  await main(Number(role ?? 5), Number(arg ?? 32), Number(process.argv[4] ?? 1));
}

function start(...args) {
  const child = spawn(process.execPath, [self, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    child.stdout.once('data', (line) => resolve({ child, port: Number(String(line).trim()) }));
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** Requests/s, and the relay's CPU microseconds per request when `pid` is given. */
function measure(port, seconds, connections, pid) {
  const before = pid ? cpuSeconds(pid) : 0;
  const rps = wrk(port, seconds, connections);
  const cpu = pid ? Math.round(((cpuSeconds(pid) - before) * 1e6) / (rps * seconds)) : undefined;
  return { rps, cpu };
}

function wrk(port, seconds, connections) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!match) throw new Error(`no Requests/sec in wrk output:\n${out}`);
  return Number(match[1]);
}

async function main(seconds, connections, rounds) {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('wrk is not installed (apt-get install -y wrk)');
  }
  const server = await start('server');
  const relays = { native: await start('native', String(server.port)), pipe: await start('pipe', String(server.port)) };
  try {
    const rows = [];
    for (let round = 0; round < rounds; round++) {
      const direct = measure(server.port, seconds, connections).rps;
      const native = measure(relays.native.port, seconds, connections, relays.native.child.pid);
      const pipe = measure(relays.pipe.port, seconds, connections, relays.pipe.child.pid);
      rows.push({
        direct,
        native: native.rps,
        pipe: pipe.rps,
        'native/direct': (native.rps / direct).toFixed(2),
        'pipe/direct': (pipe.rps / direct).toFixed(2),
        'native µs/req': native.cpu,
        'pipe µs/req': pipe.cpu,
      });
    }
    console.table(rows);
  } finally {
    for (const { child } of [server, relays.native, relays.pipe]) child.kill();
  }
}

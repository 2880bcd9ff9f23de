/**
 * The reference server of the DNS section: knotd serving a zone file generated from the same
 * cluster state Switchboard serves. Records come from the same function the record index
 * calls (`serviceRecords`), so names and data match; PTR records would need reverse zones and
 * are left out (the query mix asks none).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceRecords } from '../src/dns/service-records.js';
import { zoneLine } from '../src/dns/zone-line.js';
import { TTL, ZONE, type CreatedService } from './dns-objects.js';
import { DnsProbe, freePort, rcodeOf } from './dns-probe.js';
import { isAlive, nowMs, rssMb, sleep, stopPid } from './lib.js';

/** The zone's apex records (as the record index serves them) and every Service's records except PTR. */
export function zoneText(created: readonly CreatedService[]): string {
  const lines = [
    `${ZONE}. ${TTL} IN SOA ns.dns.${ZONE}. hostmaster.${ZONE}. 1 7200 1800 86400 ${TTL}`,
    `${ZONE}. ${TTL} IN NS ns.dns.${ZONE}.`,
    `dns-version.${ZONE}. 28800 IN TXT "1.1.0"`,
  ];
  for (const c of created) {
    for (const rr of serviceRecords(c.service, c.slice === undefined ? [] : [c.slice], { zone: ZONE, ttl: TTL })) {
      if (rr.type !== 'PTR') lines.push(zoneLine(rr));
    }
  }
  return `${lines.join('\n')}\n`;
}

function knotConfig(dir: string, port: number): string {
  // One UDP and one TCP worker: the single-core comparison the issue asks for.
  return [
    'server:',
    `    listen: 127.0.0.1@${port}`,
    `    rundir: ${dir}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'database:',
    `    storage: ${dir}`,
    'log:',
    '  - target: stderr',
    '    any: error',
    'template:',
    '  - id: default',
    `    storage: ${dir}`,
    '    zonefile-sync: -1',
    '    journal-content: none',
    'zone:',
    `  - domain: ${ZONE}`,
    `    file: ${join(dir, `${ZONE}.zone`)}`,
    '',
  ].join('\n');
}

/** Where a tool lives: the PATH, then the sbin directories a non-root PATH may lack. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface Knotd {
  pid: number;
  port: number;
  /** Spawn until it answered the zone's SOA. */
  loadMs: number;
  rssMb(): number;
  stop(): Promise<void>;
}

async function waitForZone(port: number, pid: number, deadlineMs: number): Promise<void> {
  const probe = await DnsProbe.open(port);
  try {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const reply = await probe.query(ZONE, 'SOA', 200);
      if (reply !== undefined && rcodeOf(reply) === 0 && (reply.answers ?? []).length > 0) return;
      if (!isAlive(pid)) throw new Error('knotd exited');
      if (Date.now() > deadline) throw new Error(`knotd did not serve ${ZONE} within ${deadlineMs} ms`);
      await sleep(20);
    }
  } finally {
    probe.close();
  }
}

/** Starts knotd on a free loopback port with `zone` in its own directory below `dir`. */
export async function startKnotd(options: { bin: string; dir: string; zone: string }): Promise<Knotd> {
  const dir = options.dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${ZONE}.zone`), options.zone);
  const port = await freePort();
  writeFileSync(join(dir, 'knot.conf'), knotConfig(dir, port));
  const logPath = join(dir, 'knotd.log');
  const logFd = openSync(logPath, 'w');
  const started = nowMs();
  const child = spawn(options.bin, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.bin} did not start`);
  try {
    await waitForZone(port, pid, 60_000);
  } catch (err) {
    await stopPid(pid);
    throw new Error(`${(err as Error).message}; knotd log: ${readFileSync(logPath, 'utf8').slice(-2000)}`);
  }
  return { pid, port, loadMs: nowMs() - started, rssMb: () => rssMb(pid), stop: () => stopPid(pid) };
}

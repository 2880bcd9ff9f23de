import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterNetwork, destroySandbox, type NodeNetwork } from '../../sandbox/network.js';
import { sharedSpawner } from '../../sandbox/spawner.js';
import { sandboxSkipReason, testSandboxId } from '../../sandbox/testing.js';
import { ContainerProcess, type ContainerLaunch, type PodNamespaces } from './container.js';

const skip = sandboxSkipReason();

/** What a container sees: its stdin's first line, hostname, files, working directory, environment, ids. */
const REPORT = [
  'read -r line',
  'echo "line=$line"',
  'echo "hostname=$(cat /proc/sys/kernel/hostname)"',
  'echo "hosts=$(cat /etc/hosts)"',
  'echo "resolv=$(cat /etc/resolv.conf)"',
  'echo "pwd=$(pwd)"',
  // pid, parent, process group and session (fields 1, 4, 5, 6 of /proc/<pid>/stat).
  'set -- $(cat /proc/$$/stat); echo "ids=$1 $4 $5 $6"',
  'env | sort | sed "s/^/env:/"',
  'exit 3',
].join('\n');

function statOf(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

describe('containers started by a launcher and from this process', { skip }, () => {
  const id = testSandboxId();
  let network: ClusterNetwork;
  let node: NodeNetwork;
  let dir = '';
  let ns: PodNamespaces;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-container-'));
    network = await ClusterNetwork.create({ id });
    node = await network.addNode(0, '10.244.0.0/24');
    const pod = await network.addPod(node, 'uid-a', '10.244.0.2');
    writeFileSync(join(dir, 'hosts'), '10.244.0.2\tpod-a\n');
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 10.96.0.10\n');
    ns = { netns: pod.netns, hostname: 'pod-a', hostsFile: join(dir, 'hosts'), resolvConfFile: join(dir, 'resolv.conf') };
  });
  after(async () => {
    await destroySandbox(id);
    rmSync(dir, { recursive: true, force: true });
  });

  async function runOnce(name: string, env: Record<string, string>): Promise<{ report: string; launched: boolean; exitCode: number }> {
    const fifo = join(dir, `${name}.stdin`);
    assert.equal(spawnSync('mkfifo', ['-m', '600', fifo]).status, 0);
    const launch: ContainerLaunch = { argv: ['/bin/sh', '-c', REPORT], env, workingDir: '/tmp', logPath: join(dir, name, '0.log'), stdinPath: fifo };
    const proc = ContainerProcess.start(ns, launch);
    assert.ok(proc.pid > 0);
    // A launcher is the spawner's child; a container started here is this process's.
    const launched = Number(statOf(proc.pid)[1]) !== process.pid;
    writeFileSync(fifo, 'hello\n');
    const exit = await proc.exited;
    return { report: readFileSync(launch.logPath, 'utf8'), launched, exitCode: exit.exitCode };
  }

  test('see the same hostname, files, directory, environment, stdin and ids; exit codes and signals reach the agent', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/root', QUOTED: "it's \"here\"\n  and $HOME", EMPTY: '' };
    const direct = await runOnce('direct', env);
    // The first start found no launcher ready (the spawner had just been asked for some).
    assert.equal(direct.launched, false);
    for (let i = 0; i < 100 && sharedSpawner().launchersReady === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const viaLauncher = await runOnce('launched', env);
    assert.equal(viaLauncher.launched, true);

    for (const r of [direct, viaLauncher]) {
      assert.equal(r.exitCode, 3);
      assert.match(r.report, /^line=hello$/m);
      assert.match(r.report, /^hostname=pod-a$/m);
      assert.match(r.report, /^hosts=10\.244\.0\.2\tpod-a$/m);
      assert.match(r.report, /^resolv=nameserver 10\.96\.0\.10$/m);
      assert.match(r.report, /^pwd=\/tmp$/m);
      const ids = /^ids=(\d+) (\d+) (\d+) (\d+)$/m.exec(r.report);
      assert.ok(ids, r.report);
      // It leads its own process group and session.
      assert.equal(ids[3], ids[1]);
      assert.equal(ids[4], ids[1]);
    }
    const envOf = (report: string): string => report.slice(report.indexOf('env:'));
    assert.equal(envOf(viaLauncher.report), envOf(direct.report));
    assert.match(envOf(direct.report), /^env:QUOTED=it's "here"$/m);
    assert.deepEqual(envOf(direct.report).split('\n').filter((l) => /^env:[A-Z_]+=/.test(l)).map((l) => l.slice(4, l.indexOf('='))).sort(), ['EMPTY', 'HOME', 'PATH', 'PWD', 'QUOTED']);

    // Names a shell cannot export go through env -i; the shell inside (sh -c, as from here
    // too) then drops the name it cannot hold and sets IFS afresh.
    const odd = await runOnce('odd', { PATH: env.PATH, 'my.var': 'x', IFS: ':' });
    assert.equal(odd.launched, true);
    assert.equal(odd.exitCode, 3);
    assert.match(odd.report, /^hostname=pod-a$/m);
    assert.deepEqual(odd.report.split('\n').filter((l) => /^env:[\w.]+=/.test(l)).map((l) => l.slice(4, l.indexOf('='))), ['IFS', 'PATH', 'PWD']);
  });

  test('a signal to the process group ends it, and the exit says which', async () => {
    const proc = ContainerProcess.start(ns, { argv: ['sleep', '30'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, logPath: join(dir, 'sleep', '0.log') });
    await new Promise((r) => setTimeout(r, 200));
    const exit = await proc.stop(5000);
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.exitCode, 143);
    // A missing working directory fails the start as spawn's ENOENT does.
    const missing = ContainerProcess.start(ns, { argv: ['true'], env: {}, workingDir: join(dir, 'nowhere'), logPath: join(dir, 'missing', '0.log') });
    assert.equal((await missing.exited).exitCode, 127);
  });
});

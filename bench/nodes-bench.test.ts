import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { childrenOf, descendantsOf, processFacts } from './nodes-cluster.js';
import { costBetween, describeCost, sampleCost } from './nodes-cost.js';
import { podContainer, podName } from './nodes-pods.js';
import { podProcessMemory } from './nodes-procs.js';

describe('nodes bench helpers', () => {
  test('pod names sort in creation order', () => {
    const cases = [
      { i: 0, want: 'p-0000' },
      { i: 42, want: 'p-0042' },
      { i: 249, want: 'p-0249' },
    ];
    for (const c of cases) assert.equal(podName(c.i), c.want);
  });

  test('the image is agnhost pause unless BENCH_NODES_IMAGE=busybox', () => {
    const saved = process.env.BENCH_NODES_IMAGE;
    try {
      delete process.env.BENCH_NODES_IMAGE;
      assert.deepEqual(podContainer().args, ['pause']);
      process.env.BENCH_NODES_IMAGE = 'busybox';
      assert.deepEqual(podContainer().command, ['sleep', '3600']);
    } finally {
      if (saved === undefined) delete process.env.BENCH_NODES_IMAGE;
      else process.env.BENCH_NODES_IMAGE = saved;
    }
  });

  test('a spawned child is counted among the children, and gone after it exits', async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      assert.ok(childrenOf(process.pid).includes(child.pid ?? -1));
      assert.ok(processFacts(process.pid).children >= 1);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    assert.ok(!childrenOf(process.pid).includes(child.pid ?? -1));
  });

  test('a grandchild (a container under the spawner) counts among the processes below', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 5 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let grandchild = 0;
    try {
      grandchild = Number(await new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', resolve)));
      assert.ok(!childrenOf(process.pid).includes(grandchild));
      assert.ok(descendantsOf(process.pid).includes(grandchild));
      assert.ok(processFacts(process.pid).children >= 2);
    } finally {
      if (grandchild > 0) process.kill(grandchild, 'SIGKILL');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });

  test('process facts read this process', () => {
    const f = processFacts(process.pid);
    assert.ok(f.rssMb > 10 && f.fds > 2 && f.threads >= 1, JSON.stringify(f));
  });

  test('no namespaces: no pod processes', () => {
    assert.deepEqual(podProcessMemory(['does-not-exist']), { processes: 0, namespacesWithProcesses: 0, rssMb: 0, pssMb: 0, cpuS: 0 });
  });

  test('cost: CPU grows with work; the description is per pod', () => {
    const a = sampleCost(process.pid);
    let x = 0;
    const until = Date.now() + 60;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const cost = costBetween(a, sampleCost(process.pid));
    assert.ok(cost.cpuS > 0.02, `cpu ${cost.cpuS} (x ${x})`);
    assert.match(describeCost({ cpuS: 2, childCpuS: 0.5, forks: 70 }, 10), /^up process 200 ms CPU\/pod, .* 50 ms\/pod, 7\.0 tasks/);
  });
});

/**
 * kubectl logs --timestamps, --since and --since-time on a real node: every line carries the
 * time it was written (the log stamper's index), and a container's shell that waits for its
 * children is not kept waiting by the stamper.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliPath, run, skipUnless, startCluster, type Cluster } from '../harness.js';
import { eventually, kok } from '../controllers/kube.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const skip = sandboxSkipReason() || skipUnless('kubectl');

describe('kubectl logs: per-line times', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '1']);
  });
  after(async () => {
    if (!c) return;
    await run(process.execPath, [cliPath, 'down', '--data-dir', c.dataDir]);
    await c.stop();
  });

  test('--timestamps gives each line its own time; --since and --since-time cut by line', async () => {
    await kok(c, ['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while [ $i -lt 12 ]; do echo tick $i; i=$((i+1)); sleep 0.3; done; sleep 3600']);
    const stamped = await eventually('12 ticks', async () => {
      const out = (await kok(c, ['logs', 'ticker', '--timestamps'])).trim().split('\n');
      return out.length === 12 ? out : undefined;
    }, 30_000);
    const times = stamped.map((l) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) tick (\d+)$/.exec(l);
      assert.ok(m, l);
      return Date.parse(m[1] ?? '');
    });
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
      assert.ok(gap >= 200 && gap < 2000, `line ${i} came ${gap} ms after the one before: ${stamped.join(' | ')}`);
    }
    // --since-time at the 7th line's time: the API carries it in whole seconds (metav1.Time),
    // so from the first line written in that second on.
    const second = Math.floor((times[6] ?? 0) / 1000) * 1000;
    const since = (await kok(c, ['logs', 'ticker', `--since-time=${new Date(second).toISOString()}`])).trim().split('\n');
    const expected = stamped.filter((_, i) => (times[i] ?? 0) >= second).map((l) => l.replace(/^\S+ /, ''));
    assert.ok(expected.length >= 6 && expected.length < 12, expected.join(' | '));
    assert.deepEqual(since, expected);
    // --since=1h: everything; the lines without --timestamps are as written.
    assert.equal((await kok(c, ['logs', 'ticker', '--since=1h'])).trim().split('\n').length, 12);
  });

  test('a container shell that waits for all its children finishes (the stamper is not one of them)', async () => {
    await kok(c, ['run', 'waiter', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'sleep 0.5 & wait; echo waited']);
    const out = await eventually('waited', async () => {
      const r = await c.kubectl(['logs', 'waiter']);
      return r.stdout.includes('waited') ? r.stdout : undefined;
    }, 20_000);
    assert.match(out, /waited/);
    await eventually('waiter Succeeded', async () => ((await kok(c, ['get', 'pod', 'waiter', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded' ? true : undefined), 20_000);
  });
});

/**
 * `switchboard up` fails with one line that says what to do: a port in use, a missing host
 * program, bad flags. No stack trace, and nothing left behind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, run } from '../harness.js';
import { sandboxIdFor } from '../../src/cli/up.js';
import { sandboxSkipReason } from '../../src/sandbox/testing.js';

const up = (dataDir: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [cliPath, 'up', '--data-dir', dataDir, ...args], { env, timeoutMs: 60_000 });

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

describe('switchboard up: errors that say what to do', () => {
  test('the API port in use: names the address and the flag', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'sb-up-errors-'));
    try {
      const r = await up(dir, ['--api-port', String(port), '--nodes', '0']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`switchboard: 127\\.0\\.0\\.1:${port} is already in use .*--api-port N`));
      noStack(r.stderr);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad flags: a usage error (exit 2) naming the flag and what it wants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-up-errors-'));
    try {
      const mode = await up(dir, ['--proxy-mode', 'ipvs']);
      assert.equal(mode.code, 2);
      assert.match(mode.stderr, /--proxy-mode must be nftables, userspace or auto, not "ipvs"/);
      const address = await up(dir, ['--node-port-address', '10.0.0.1']);
      assert.equal(address.code, 2);
      assert.match(address.stderr, /invalid --node-port-address "10\.0\.0\.1": want a host loopback address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a host program missing for real nodes: what to install, and no namespace left', { skip: sandboxSkipReason() }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-up-errors-'));
    try {
      // A PATH without iproute2's `ip` (node itself is started by its full path).
      const r = await up(dir, ['--api-port', '0', '--nodes', '1'], { PATH: join(dir, 'empty-path') });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /switchboard: ip is not installed \(Debian: apt-get install iproute2\)/);
      noStack(r.stderr);
      const id = sandboxIdFor(dir);
      assert.deepEqual((existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`sb${id}-`)), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

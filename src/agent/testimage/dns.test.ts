import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { firstResolvConfEntry, GoPanic } from './dns.js';
import { startTestImage } from './testing.js';

const kubeletResolvConf = [
  'search default.svc.cluster.local svc.cluster.local cluster.local',
  'nameserver 10.96.0.10',
  'nameserver 10.96.0.11',
  'options ndots:5',
  '',
].join('\n');

describe('firstResolvConfEntry', () => {
  test('search domains', () => {
    assert.deepEqual(firstResolvConfEntry(kubeletResolvConf, 'search'), ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  });
  test('only the first nameserver line counts (agnhost behaviour)', () => {
    assert.deepEqual(firstResolvConfEntry(kubeletResolvConf, 'nameserver'), ['10.96.0.10']);
  });
  test('a missing keyword is a panic', () => {
    assert.throws(() => firstResolvConfEntry('nameserver 1.1.1.1\n', 'search'), (err: unknown) => err instanceof GoPanic);
  });
});

describe('dns-suffix and dns-server-list', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testimage-dns-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const podDnsConfig = write('pod', 'nameserver 1.1.1.1\nsearch resolv.conf.local\noptions ndots:5\n');
  const kubelet = write('kubelet', kubeletResolvConf);
  const noSearch = write('nosearch', 'nameserver 1.1.1.1\n');

  const cases: Array<{ command: string; file: string; stdout: string; code: number; stderr?: RegExp }> = [
    { command: 'dns-suffix', file: podDnsConfig, stdout: 'resolv.conf.local\n', code: 0 },
    { command: 'dns-server-list', file: podDnsConfig, stdout: '1.1.1.1\n', code: 0 },
    { command: 'dns-suffix', file: kubelet, stdout: 'default.svc.cluster.local,svc.cluster.local,cluster.local\n', code: 0 },
    { command: 'dns-server-list', file: kubelet, stdout: '10.96.0.10\n', code: 0 },
    { command: 'dns-suffix', file: noSearch, stdout: '', code: 2, stderr: /^panic: Could not find DNS search list!/ },
    { command: 'dns-suffix', file: path.join(dir, 'missing'), stdout: '', code: 2, stderr: /^panic: .*ENOENT/ },
  ];
  for (const c of cases) {
    test(`${c.command} on ${path.basename(c.file)}`, async () => {
      const child = startTestImage([c.command], { SWITCHBOARD_RESOLV_CONF: c.file });
      assert.equal((await child.exited).code, c.code);
      assert.equal(child.stdout(), c.stdout);
      if (c.stderr) assert.match(child.stderr(), c.stderr);
    });
  }

  test('etc-hosts prints the hosts file', async () => {
    const hosts = write('hosts', '127.0.0.1 localhost\n10.244.0.5 pod-a.sub.ns.svc.cluster.local pod-a\n');
    const child = startTestImage(['etc-hosts'], { SWITCHBOARD_HOSTS_FILE: hosts });
    assert.equal((await child.exited).code, 0);
    assert.equal(child.stdout(), `${fs.readFileSync(hosts, 'utf8')}\n`);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFile, shouldManageHostsFile, type HostsFileOptions } from './hosts.js';
import { newPod } from './test-fixtures.js';
import type { PodSpecFields } from './types.js';

const localhost = [
  '# Kubernetes-managed hosts file.',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
];

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

describe('hostsFile', () => {
  const cases: { name: string; spec: PodSpecFields; options: HostsFileOptions; want: string }[] = [
    {
      name: 'pod IP and pod name',
      spec: {},
      options: { podIPs: ['10.244.0.5'] },
      want: lines(...localhost, '10.244.0.5\tweb-0'),
    },
    {
      name: 'hostname and subdomain give the FQDN first',
      spec: { hostname: 'db', subdomain: 'backend' },
      options: { podIPs: ['10.244.0.5'] },
      want: lines(...localhost, '10.244.0.5\tdb.backend.shop.svc.cluster.local\tdb'),
    },
    {
      name: 'dual-stack: one line per pod IP, custom cluster domain',
      spec: { subdomain: 'backend' },
      options: { podIPs: ['10.244.0.5', 'fd00:10:244::5'], clusterDomain: 'corp.internal' },
      want: lines(
        ...localhost,
        '10.244.0.5\tweb-0.backend.shop.svc.corp.internal\tweb-0',
        'fd00:10:244::5\tweb-0.backend.shop.svc.corp.internal\tweb-0',
      ),
    },
    {
      name: 'hostAliases follow after a blank line, hostnames tab-separated',
      spec: {
        hostAliases: [
          { ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] },
          { ip: '10.1.2.3', hostnames: ['foo.remote'] },
        ],
      },
      options: { podIPs: ['10.244.0.5'] },
      want: lines(
        ...localhost,
        '10.244.0.5\tweb-0',
        '',
        '# Entries added by HostAliases.',
        '127.0.0.1\tfoo.local\tbar.local',
        '10.1.2.3\tfoo.remote',
      ),
    },
    {
      name: 'hostNetwork: the node file under its own header, then aliases',
      spec: { hostNetwork: true, hostname: 'ignored', hostAliases: [{ ip: '10.1.2.3', hostnames: ['x'] }] },
      options: { podIPs: ['192.168.1.10'], nodeHostsFile: '127.0.0.1\tlocalhost\n192.168.1.10\tnode-1\n' },
      want: lines(
        '# Kubernetes-managed hosts file (host network).',
        '127.0.0.1\tlocalhost',
        '192.168.1.10\tnode-1',
        '',
        '# Entries added by HostAliases.',
        '10.1.2.3\tx',
      ),
    },
    {
      name: 'hostAliases option overrides the spec',
      spec: { hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] },
      options: { podIPs: ['10.244.0.5'], hostAliases: [] },
      want: lines(...localhost, '10.244.0.5\tweb-0'),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(hostsFile(newPod(c.spec), c.options), { ok: true, value: c.want });
    });
  }

  test('an invalid hostname is an error, not a file', () => {
    const result = hostsFile(newPod({ subdomain: 'Not_Valid' }), { podIPs: ['10.244.0.5'] });
    assert.equal(result.ok ? '' : result.error.reason, 'CreatePodSandboxError');
  });
});

describe('shouldManageHostsFile', () => {
  test('needs a pod IP unless on the host network', () => {
    assert.equal(shouldManageHostsFile(newPod(), []), false);
    assert.equal(shouldManageHostsFile(newPod(), ['10.244.0.5']), true);
    assert.equal(shouldManageHostsFile(newPod({ hostNetwork: true }), []), true);
  });
});

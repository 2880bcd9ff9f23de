import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameOf, truncateHostname } from './hostname.js';
import { newPod } from './test-fixtures.js';
import type { PodSpecFields } from './types.js';

const long = 'a'.repeat(60) + '-b.c-defg';

describe('hostnameOf', () => {
  const cases: { name: string; spec: PodSpecFields; podName?: string; domain?: string; want: object }[] = [
    {
      name: 'pod name when no hostname',
      spec: {},
      want: { hostname: 'web-0', kernelHostname: 'web-0', usesNodeHostname: false },
    },
    {
      name: 'spec.hostname wins over the pod name',
      spec: { hostname: 'db' },
      want: { hostname: 'db', kernelHostname: 'db', usesNodeHostname: false },
    },
    {
      name: 'subdomain gives a domain and FQDN, kernel hostname stays short',
      spec: { hostname: 'db', subdomain: 'backend' },
      want: {
        hostname: 'db',
        hostDomain: 'backend.shop.svc.cluster.local',
        fqdn: 'db.backend.shop.svc.cluster.local',
        kernelHostname: 'db',
        usesNodeHostname: false,
      },
    },
    {
      name: 'setHostnameAsFQDN puts the FQDN in the UTS namespace',
      spec: { subdomain: 'backend', setHostnameAsFQDN: true },
      domain: 'example.org',
      want: {
        hostname: 'web-0',
        hostDomain: 'backend.shop.svc.example.org',
        fqdn: 'web-0.backend.shop.svc.example.org',
        kernelHostname: 'web-0.backend.shop.svc.example.org',
        usesNodeHostname: false,
      },
    },
    {
      name: 'setHostnameAsFQDN without subdomain has no effect',
      spec: { setHostnameAsFQDN: true },
      want: { hostname: 'web-0', kernelHostname: 'web-0', usesNodeHostname: false },
    },
    {
      name: 'long pod name is cut to 63 and loses trailing - and .',
      spec: {},
      podName: long,
      want: { hostname: 'a'.repeat(60) + '-b', kernelHostname: 'a'.repeat(60) + '-b', usesNodeHostname: false },
    },
    {
      name: 'hostNetwork pods use the node hostname',
      spec: { hostNetwork: true, hostname: 'ignored' },
      want: { hostname: 'ignored', kernelHostname: 'ignored', usesNodeHostname: true },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pod = newPod(c.spec, c.podName ? { name: c.podName } : {});
      const result = hostnameOf(pod, c.domain ? { clusterDomain: c.domain } : {});
      assert.deepEqual(result, { ok: true, value: c.want });
    });
  }

  test('FQDN over 64 characters is refused with the kubelet message', () => {
    const pod = newPod({ hostname: 'h'.repeat(30), subdomain: 's'.repeat(20), setHostnameAsFQDN: true });
    const fqdn = `${'h'.repeat(30)}.${'s'.repeat(20)}.shop.svc.cluster.local`;
    assert.deepEqual(hostnameOf(pod), {
      ok: false,
      error: {
        reason: 'CreatePodSandboxError',
        message: `failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (64 characters is the max, ${fqdn.length} characters requested)`,
      },
    });
  });

  test('an invalid hostname is refused', () => {
    const result = hostnameOf(newPod({ hostname: 'Bad_Name' }));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /^pod Hostname "Bad_Name" is not a valid DNS label: /);
  });

  test('truncateHostname keeps short names', () => {
    assert.equal(truncateHostname('x'.repeat(63)), 'x'.repeat(63));
    assert.equal(truncateHostname('x'.repeat(62) + '.y'), 'x'.repeat(62));
  });
});

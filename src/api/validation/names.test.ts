import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dns1035LabelErrors, dns1123SubdomainErrors, isIP, isIPv4, isIPv6, portNameErrors, qualifiedNameErrors } from './names.js';

describe('name formats', () => {
  const cases: Array<[string, (v: string) => string[], string, boolean]> = [
    ['dns1035 ok', dns1035LabelErrors, 'my-svc', true],
    ['dns1035 leading digit', dns1035LabelErrors, '1svc', false],
    ['dns1035 64 chars', dns1035LabelErrors, 'a'.repeat(64), false],
    ['subdomain dots', dns1123SubdomainErrors, 'a.b-c.d', true],
    ['subdomain upper', dns1123SubdomainErrors, 'A.b', false],
    ['qualified with prefix', qualifiedNameErrors, 'app.kubernetes.io/name', true],
    ['qualified empty name', qualifiedNameErrors, 'example.com/', false],
    ['qualified two slashes', qualifiedNameErrors, 'a/b/c', false],
    ['port name ok', portNameErrors, 'http-alt', true],
    ['port name digits only', portNameErrors, '8080', false],
    ['port name double hyphen', portNameErrors, 'a--b', false],
  ];
  for (const [name, check, value, ok] of cases) test(name, () => assert.equal(check(value).length === 0, ok));
});

describe('IP parsing', () => {
  const cases: Array<[string, boolean, boolean]> = [
    ['10.96.0.1', true, false],
    ['256.1.1.1', false, false],
    ['01.2.3.4', false, false],
    ['::1', false, true],
    ['fd00:10:96::a', false, true],
    ['1:2:3:4:5:6:7:8', false, true],
    ['1:2:3:4:5:6:7:8:9', false, false],
    ['::ffff:10.0.0.1', false, true],
    ['fd00:::1', false, false],
  ];
  for (const [ip, v4, v6] of cases) {
    test(ip, () => {
      assert.equal(isIPv4(ip), v4);
      assert.equal(isIPv6(ip), v6);
      assert.equal(isIP(ip), v4 || v6);
    });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashedIP, ipFromDashed, reverseName } from './names.js';

const cases: [string, string, string][] = [
  ['10.96.0.20', '20.0.96.10.in-addr.arpa', '10-96-0-20'],
  ['fd00::10', '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'fd00--10'],
  ['::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa', '0--1'],
  ['fd00::', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'fd00--0'],
  ['::ffff:10.0.0.1', '1.0.0.0.0.0.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa', '0--ffff-10-0-0-1'],
];

for (const [ip, reverse, dashed] of cases) {
  test(`${ip}: reverse ${reverse}, label ${dashed}`, () => {
    assert.equal(reverseName(ip), reverse);
    assert.equal(dashedIP(ip), dashed);
  });
}

test('dashed labels back to IPs', () => {
  assert.equal(ipFromDashed('10-244-1-5'), '10.244.1.5');
  assert.equal(ipFromDashed('fd00--1'), 'fd00::1');
  assert.equal(ipFromDashed('10-244-1'), undefined);
  assert.equal(ipFromDashed('nginx-0'), undefined);
  assert.equal(reverseName('nope'), undefined);
});

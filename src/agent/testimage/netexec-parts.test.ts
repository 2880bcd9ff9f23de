import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanUrlPath, goJson } from './http-util.js';
import { joinHostPort } from './listen.js';
import { formatDialOutput } from './netexec-dial.js';
import { answerUdpCommand, parseListenAddresses } from './netexec-udp.js';
import { findMultipartFile } from './netexec-upload.js';

describe('formatDialOutput', () => {
  const cases: Array<{ name: string; results: Array<{ response?: string; error?: string }>; expected: string }> = [
    { name: 'all succeeded', results: [{ response: 'a' }, { response: 'b' }], expected: '{"responses":["a","b"]}' },
    { name: 'all failed', results: [{ error: 'e1' }], expected: '{"errors":["e1"]}' },
    { name: 'last failed hides earlier responses (agnhost quirk)', results: [{ response: 'a' }, { error: 'e' }], expected: '{"errors":["e"]}' },
    { name: 'last succeeded shows both, errors first', results: [{ error: 'e' }, { response: 'a' }], expected: '{"errors":["e"],"responses":["a"]}' },
    { name: 'empty last body hides responses', results: [{ response: '' }], expected: '{}' },
    { name: 'zero tries', results: [], expected: '{}' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(formatDialOutput(c.results), c.expected));
});

describe('answerUdpCommand', () => {
  const input = { clientAddress: '10.0.0.1:4000', hostname: 'pod-a' };
  const cases: Array<[string, string | undefined]> = [
    ['hostname', 'pod-a'], ['HostName\n', 'pod-a'], ['echo Hi There', 'hi there'], ['echo ', undefined], ['echo  x', ' x'],
    ['clientip', '10.0.0.1:4000'], ['echo', undefined], ['bogus', undefined], ['', undefined],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => assert.equal(answerUdpCommand({ ...input, text }), expected));
  }
});

test('parseListenAddresses dedups, sorts and rejects non-IPs', () => {
  assert.deepEqual(parseListenAddresses(''), [undefined]);
  assert.deepEqual(parseListenAddresses('127.0.0.2,127.0.0.1,127.0.0.2'), ['127.0.0.1', '127.0.0.2']);
  assert.throws(() => parseListenAddresses('127.0.0.1,nope'), /parseAddress: invalid address nope/);
});

test('findMultipartFile takes the named part with a filename', () => {
  const body = Buffer.from([
    '--b', 'Content-Disposition: form-data; name="file"', '', 'not a file',
    '--b', 'Content-Disposition: form-data; name="other"; filename="o"', '', 'other',
    '--b', 'Content-Disposition: form-data; name="file"; filename="f.bin"', '', 'line1\r\nline2',
    '--b--', '',
  ].join('\r\n'));
  assert.equal(findMultipartFile(body, 'multipart/form-data; boundary=b', 'file')?.toString(), 'line1\r\nline2');
  assert.equal(findMultipartFile(body, 'text/plain', 'file'), undefined);
  assert.equal(findMultipartFile(body, 'multipart/form-data; boundary=b', 'missing'), undefined);
});

test('cleanUrlPath follows Go path.Clean and keeps a trailing slash', () => {
  const cases: Array<[string, string]> = [
    ['/a/b', '/a/b'], ['//hostname', '/hostname'], ['/a/../b', '/b'], ['/a/./b/', '/a/b/'], ['', '/'], ['x', '/x'],
  ];
  for (const [input, expected] of cases) assert.equal(cleanUrlPath(input), expected, input);
});

test('goJson escapes like encoding/json', () => {
  assert.equal(goJson({ a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e"}');
});

test('joinHostPort unmaps IPv4 and brackets IPv6', () => {
  assert.equal(joinHostPort('::ffff:127.0.0.1', 80), '127.0.0.1:80');
  assert.equal(joinHostPort('::1', 80), '[::1]:80');
});

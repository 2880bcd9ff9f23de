import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testImageArgv } from './image.js';

const cases: Array<{ name: string; command?: string[]; args?: string[]; argv: string[] | undefined }> = [
  { name: 'neither: the image CMD (pause)', argv: ['pause'] },
  { name: 'args only', args: ['netexec', '--http-port=8080'], argv: ['netexec', '--http-port=8080'] },
  { name: 'command naming the binary', command: ['/agnhost', 'serve-hostname'], argv: ['serve-hostname'] },
  { name: 'command and args', command: ['/agnhost'], args: ['porter'], argv: ['porter'] },
  { name: 'command without args ignores the image CMD', command: ['/agnhost'], argv: [] },
  { name: 'a shell command is not ours', command: ['/bin/sh', '-c', 'sleep 1'], argv: undefined },
];
for (const c of cases) {
  test(c.name, () => assert.deepEqual(testImageArgv(c.command, c.args), c.argv));
}

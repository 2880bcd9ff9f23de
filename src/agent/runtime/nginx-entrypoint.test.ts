import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, resolveContainer } from './images.js';
import { NGINX_DEFAULT_COMMAND, NGINX_ENTRYPOINT } from './nginx-entrypoint.js';

describe('the nginx images', () => {
  let dir = '';
  let fakeBin = '';
  const path = process.env.PATH;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nginx-entrypoint-'));
    fakeBin = join(dir, 'bin');
    mkdirSync(fakeBin);
    // Stands in for nginx: prints the arguments it was given, one a line.
    writeFileSync(join(fakeBin, 'nginx'), '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n', { mode: 0o755 });
  });
  after(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs argv as the agent does: stdout and stderr appended to `<dir>/pods/<uid>/<container>/0.log`. */
  const runAsContainer = (argv: string[], container: string): { status: number | null; log: string; containerDir: string } => {
    const containerDir = join(dir, 'pods', 'uid', container);
    mkdirSync(containerDir, { recursive: true });
    const logPath = join(containerDir, '0.log');
    const fd = openSync(logPath, 'a');
    const r = spawnSync(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', fd, fd], env: { PATH: `${fakeBin}:/usr/bin:/bin` } });
    closeSync(fd);
    return { status: r.status, log: readFileSync(logPath, 'utf8'), containerDir };
  };

  test('nginx:latest runs the entrypoint with the default command; args replace the command, a command the entrypoint', () => {
    process.env.PATH = `${fakeBin}:/usr/bin:/bin`;
    assert.deepEqual(resolveContainer({ image: 'nginx:latest' }), { argv: [...NGINX_ENTRYPOINT, ...NGINX_DEFAULT_COMMAND], program: 'nginx' });
    assert.deepEqual(resolveContainer({ image: 'docker.io/library/nginx:1.25' }), { argv: [...NGINX_ENTRYPOINT, 'nginx', '-g', 'daemon off;'], program: 'nginx' });
    assert.deepEqual(resolveContainer({ image: 'nginx:alpine', args: ['/bin/sh'] }), { argv: [...NGINX_ENTRYPOINT, '/bin/sh'], program: '/bin/sh' });
    assert.deepEqual(resolveContainer({ image: 'nginx:alpine', command: ['/bin/sh', '-c', 'echo hi'] }), { argv: ['/bin/sh', '-c', 'echo hi'], program: '/bin/sh' });
  });

  test('without nginx on the host, the default command waits with the package to install; a shell still runs', () => {
    process.env.PATH = '/usr/bin:/bin';
    if (findProgram('nginx')) return; // nginx in /usr/bin or /bin: nothing to hide it from
    const waiting = resolveContainer({ image: 'nginx:latest' });
    assert.ok('waiting' in waiting);
    assert.equal(waiting.waiting.reason, 'CreateContainerError');
    assert.match(waiting.waiting.message, /exec: "nginx": executable file not found .*apt-get install nginx\)/);
    assert.ok('argv' in resolveContainer({ image: 'nginx:alpine', args: ['/bin/sh'] }));
    const other = resolveContainer({ image: 'nginx:alpine', args: ['no-such-program'] });
    assert.ok('waiting' in other && !other.waiting.message.includes('apt-get'), JSON.stringify(other));
  });

  test('the entrypoint writes a configuration beside the container\'s log and runs nginx with it', () => {
    const r = runAsContainer([...NGINX_ENTRYPOINT, ...NGINX_DEFAULT_COMMAND], 'web');
    assert.equal(r.status, 0, r.log);
    const own = join(r.containerDir, 'nginx');
    const args = r.log.split('\n').filter((l) => l.startsWith('arg:')).map((l) => l.slice(4));
    assert.deepEqual(args, ['-p', `${own}/`, '-c', `${own}/nginx.conf`, '-g', 'daemon off;']);
    const conf = readFileSync(join(own, 'nginx.conf'), 'utf8');
    assert.match(conf, new RegExp(`^pid ${own}/nginx\\.pid;$`, 'm'));
    assert.match(conf, /^error_log stderr/m);
    assert.match(conf, /^\s*access_log \/dev\/stdout main;$/m);
    for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) assert.match(conf, new RegExp(`^\\s*${temp}_temp_path ${own}/${temp}_temp;$`, 'm'));
    assert.match(conf, /^\s*listen 80;$/m);
    assert.match(conf, /^\s*server_name localhost;$/m);
    const root = /root (\S+);/.exec(conf)?.[1] ?? '';
    assert.ok(existsSync(root), root);
  });

  test('any other command runs as given, with no configuration written; a -c of its own is kept', () => {
    const shell = runAsContainer([...NGINX_ENTRYPOINT, '/bin/sh', '-c', 'echo hi'], 'shell');
    assert.equal(shell.log, 'hi\n');
    assert.ok(!existsSync(join(shell.containerDir, 'nginx')));
    const own = runAsContainer([...NGINX_ENTRYPOINT, 'nginx', '-c', '/etc/mine.conf'], 'own');
    assert.equal(own.log, 'arg:-c\narg:/etc/mine.conf\n');
  });

  test('the host\'s nginx accepts the configuration (nginx -t)', { skip: process.getuid?.() !== 0 || !findProgram('nginx', `${path ?? ''}:/usr/sbin`) }, () => {
    const nginx = findProgram('nginx', `${path ?? ''}:/usr/sbin`) ?? 'nginx';
    const r = runAsContainer([...NGINX_ENTRYPOINT, nginx, '-t'], 'check');
    assert.equal(r.status, 0, r.log);
    assert.match(r.log, /syntax is ok/);
  });
});

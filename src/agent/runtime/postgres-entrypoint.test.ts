import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinImages, resolveContainer, type ImageEntry } from './images.js';
import { POSTGRES_ENTRYPOINT, postgresDefaultCommand, postgresProgram } from './postgres-entrypoint.js';

const isRoot = process.getuid?.() === 0;
const hostPostgres = postgresProgram();
const hasPostgres = hostPostgres !== 'postgres' && spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0;

describe('the postgres images', () => {
  let dir = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'postgres-entrypoint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The container's directory, with its log file `0.log` open for the script's output. */
  const containerDir = (name: string): { containerDir: string; logPath: string } => {
    const containerDir = join(dir, 'pods', 'uid', name);
    mkdirSync(containerDir, { recursive: true });
    return { containerDir, logPath: join(containerDir, '0.log') };
  };
  /** Runs argv as the agent does: stdout and stderr appended to the container's `0.log`. */
  const runAsContainer = (argv: string[], name: string, env: Record<string, string> = {}): { status: number | null; log: string; containerDir: string } => {
    const { containerDir: cd, logPath } = containerDir(name);
    const fd = openSync(logPath, 'a');
    const r = spawnSync(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    closeSync(fd);
    return { status: r.status, log: readFileSync(logPath, 'utf8'), containerDir: cd };
  };

  test('postgres and postgres:<tag> run the entrypoint with the host\'s server; args replace the command, a command the entrypoint', () => {
    for (const image of ['postgres', 'postgres:16', 'docker.io/library/postgres:15-alpine']) {
      const r = resolveContainer({ image });
      if (hostPostgres === 'postgres') {
        assert.ok('waiting' in r, JSON.stringify(r));
        continue;
      }
      assert.deepEqual(r, { argv: [...POSTGRES_ENTRYPOINT, hostPostgres], program: hostPostgres });
    }
    assert.deepEqual(resolveContainer({ image: 'postgres:16', command: ['psql', '-h', 'pg'] }), { argv: ['psql', '-h', 'pg'], program: 'psql' });
    assert.deepEqual(resolveContainer({ image: 'postgres:16', args: ['/bin/sh'] }), { argv: [...POSTGRES_ENTRYPOINT, '/bin/sh'], program: '/bin/sh' });
    assert.ok('waiting' in resolveContainer({ image: 'postgres-exporter' }), 'only postgres itself matches');
  });

  test('without PostgreSQL on the host, the image waits with the package to install', () => {
    // The entry as it is on a host without a server: its command is then the bare name.
    const entry = builtinImages.find((e) => e.match === 'postgres:*');
    assert.ok(entry);
    const absent: ImageEntry = { ...entry, cmd: ['postgres'] };
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const r = resolveContainer({ image: 'postgres:16' }, hostPostgres === 'postgres' ? builtinImages : [absent]);
    process.env.PATH = path;
    assert.ok('waiting' in r);
    assert.equal(r.waiting.reason, 'CreateContainerError');
    assert.match(r.waiting.message, /exec: "postgres": executable file not found .*\(Debian: apt-get install postgresql\)/);
  });

  test('the server is postgres on PATH, else the newest major version\'s under /usr/lib/postgresql', () => {
    const root = join(dir, 'lib');
    for (const v of ['9.6', '15', '16']) mkdirSync(join(root, v, 'bin'), { recursive: true });
    for (const v of ['9.6', '15']) writeFileSync(join(root, v, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(root, 'common'));
    // 16 has no server (only its client): 15 is the newest with one.
    assert.equal(postgresProgram('', root), join(root, '15', 'bin', 'postgres'));
    const onPath = join(dir, 'path');
    mkdirSync(onPath);
    writeFileSync(join(onPath, 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(postgresProgram(`/nonexistent:${onPath}`, root), join(onPath, 'postgres'));
    assert.equal(postgresProgram('', join(dir, 'missing')), 'postgres');
    assert.deepEqual(postgresDefaultCommand(), [hostPostgres]);
  });

  test('without POSTGRES_PASSWORD a new cluster is refused, as the official image does; nothing is written', () => {
    for (const [name, args] of [['plain', ['postgres']], ['flags', ['-c', 'max_connections=10']]] as const) {
      const r = runAsContainer([...POSTGRES_ENTRYPOINT, ...args], name, { POSTGRES_PASSWORD: '' });
      assert.equal(r.status, 1, r.log);
      assert.match(r.log, /^postgres-entrypoint: Error: Database is uninitialized and superuser password is not specified\.$/m);
      assert.match(r.log, /POSTGRES_PASSWORD/);
      assert.match(r.log, /POSTGRES_HOST_AUTH_METHOD=trust/);
      assert.deepEqual(readdirSync(r.containerDir), ['0.log']);
    }
  });

  test('any other command runs as given', () => {
    const r = runAsContainer([...POSTGRES_ENTRYPOINT, '/bin/sh', '-c', 'echo hi'], 'shell');
    assert.equal(r.status, 0);
    assert.equal(r.log, 'hi\n');
    assert.ok(!existsSync(join(r.containerDir, 'postgres')));
  });

  test('the host\'s server: initdb on first start, own socket and data, SIGTERM is a fast shutdown', { skip: (!isRoot && 'needs root') || (!hasPostgres && 'PostgreSQL is not installed'), timeout: 30_000 }, async () => {
    const { containerDir: cd, logPath } = containerDir('server');
    const fd = openSync(logPath, 'a');
    // As the agent runs it: a private mount namespace; a network namespace of its own, so port
    // 5432 is not the host's; no IPC namespace (the script makes one for the server).
    const child = spawn('unshare', ['--mount', '--net', '--propagation', 'private', '--', ...POSTGRES_ENTRYPOINT, hostPostgres], {
      stdio: ['ignore', fd, fd],
      detached: true,
      env: { PATH: process.env.PATH ?? '', POSTGRES_PASSWORD: 'secret', POSTGRES_USER: 'app' },
    });
    closeSync(fd);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const log = (): string => readFileSync(logPath, 'utf8');
    const socketDir = join(cd, 'postgres', 'run');
    try {
      for (let i = 0; i < 200 && !log().includes('ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(log(), /ready to accept connections/);
      assert.match(log(), /listening on IPv4 address "0\.0\.0\.0", port 5432/);
      assert.match(log(), /listening on Unix socket "\/run\/postgresql\/\.s\.PGSQL\.5432"/);
      const data = join(cd, 'postgres', 'data');
      assert.match(readFileSync(join(data, 'pg_hba.conf'), 'utf8'), /^host all all all scram-sha-256$/m);
      assert.ok(!existsSync(join(cd, 'postgres', 'data.init')));
      // The socket is the container's own, here at its real path; local connections are trusted.
      const q = spawnSync('psql', ['-h', socketDir, '-U', 'app', '-Atc', 'select current_database(), current_user'], { encoding: 'utf8' });
      assert.equal(q.stdout.trim(), 'app|app', q.stderr);
      // An idle client does not hold up the shutdown.
      const idle = spawn('psql', ['-h', socketDir, '-U', 'app'], { stdio: ['pipe', 'ignore', 'ignore'] });
      await new Promise((r) => setTimeout(r, 300));
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      assert.equal(await exited, 0, log());
      idle.kill();
      assert.match(log(), /received fast shutdown request/);
      assert.match(log(), /database system is shut down/);
    } finally {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});

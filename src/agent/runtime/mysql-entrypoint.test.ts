import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, resolveContainer } from './images.js';
import { MARIADB_DEFAULT_COMMAND, MYSQL_DEFAULT_COMMAND, MYSQL_ENTRYPOINT } from './mysql-entrypoint.js';

const isRoot = process.getuid?.() === 0;
const sbinPath = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
const hostServer = findProgram('mariadbd', sbinPath);
const hasMariadb = hostServer !== undefined && findProgram('mariadb-install-db') !== undefined && findProgram('mariadb') !== undefined;

describe('the mysql and mariadb images', () => {
  let dir = '';
  let fakeBin = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mysql-entrypoint-'));
    fakeBin = join(dir, 'bin');
    mkdirSync(fakeBin);
    // Stand in for the server (its arguments and configuration, to the log) and the installer
    // (its arguments and the extra SQL it was given, to $INSTALL_RECORD, since the script
    // shows the installer's output only when it fails; it makes the data directory).
    const server = '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\ncat "${1#--defaults-file=}"\n';
    writeFileSync(join(fakeBin, 'mysqld'), server, { mode: 0o755 });
    writeFileSync(join(fakeBin, 'mariadbd'), server, { mode: 0o755 });
    writeFileSync(
      join(fakeBin, 'mariadb-install-db'),
      '#!/bin/sh\nexec >>"$INSTALL_RECORD"\nfor a in "$@"; do echo "install:$a"; case "$a" in --datadir=*) mkdir -p "${a#--datadir=}/mysql" ;; --extra-file=*) sed "s/^/sql:/" "${a#--extra-file=}" ;; esac; done\n',
      { mode: 0o755 },
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const containerDir = (name: string): { containerDir: string; logPath: string } => {
    const containerDir = join(dir, 'pods', 'uid', name);
    mkdirSync(containerDir, { recursive: true });
    return { containerDir, logPath: join(containerDir, '0.log') };
  };
  /**
   * Runs argv as the agent does (output appended to the container's `0.log`), with the fake
   * programs first on PATH. As root, in a private mount namespace, as the agent gives one.
   */
  const runAsContainer = (argv: string[], name: string, env: Record<string, string> = {}): { status: number | null; log: string; install: string; containerDir: string } => {
    const { containerDir: cd, logPath } = containerDir(name);
    const record = join(dir, `${name}.install`);
    const fd = openSync(logPath, 'a');
    const wrapped = isRoot ? ['unshare', '--mount', '--propagation', 'private', '--', ...argv] : argv;
    const r = spawnSync(wrapped[0] ?? '', wrapped.slice(1), { stdio: ['ignore', fd, fd], env: { PATH: `${fakeBin}:/usr/bin:/bin`, INSTALL_RECORD: record, ...env } });
    closeSync(fd);
    return { status: r.status, log: readFileSync(logPath, 'utf8'), install: existsSync(record) ? readFileSync(record, 'utf8') : '', containerDir: cd };
  };
  const argsOf = (log: string, prefix: string): string[] => log.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));

  test('mysql and mariadb images run the entrypoint with the server; args replace the command, a command the entrypoint', () => {
    const path = process.env.PATH;
    process.env.PATH = `${fakeBin}:/usr/bin:/bin`;
    try {
      for (const image of ['mysql', 'mysql:latest', 'docker.io/library/mysql:8.0']) {
        assert.deepEqual(resolveContainer({ image }), { argv: [...MYSQL_ENTRYPOINT, ...MYSQL_DEFAULT_COMMAND], program: 'mysqld' });
      }
      for (const image of ['mariadb', 'mariadb:11']) {
        assert.deepEqual(resolveContainer({ image }), { argv: [...MYSQL_ENTRYPOINT, ...MARIADB_DEFAULT_COMMAND], program: 'mariadbd' });
      }
      assert.deepEqual(resolveContainer({ image: 'mysql:8', command: ['mysql', '-h', 'db'] }), { argv: ['mysql', '-h', 'db'], program: 'mysql' });
      assert.deepEqual(resolveContainer({ image: 'mysql:8', args: ['mysqld', '--max-connections=10'] }), { argv: [...MYSQL_ENTRYPOINT, 'mysqld', '--max-connections=10'], program: 'mysqld' });
    } finally {
      process.env.PATH = path;
    }
  });

  test('without MariaDB on the host, the images wait with the package to install', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      for (const image of ['mysql:latest', 'mariadb']) {
        const r = resolveContainer({ image });
        assert.ok('waiting' in r);
        assert.equal(r.waiting.reason, 'CreateContainerError');
        assert.match(r.waiting.message, /exec: "(mysqld|mariadbd)": executable file not found .*\(Debian: apt-get install mariadb-server\)/);
      }
    } finally {
      process.env.PATH = path;
    }
  });

  test('without a root password option a new data directory is refused, as the official image does; nothing is written', () => {
    const r = runAsContainer([...MYSQL_ENTRYPOINT, 'mysqld'], 'nopassword', { MYSQL_DATABASE: 'app' });
    assert.equal(r.status, 1, r.log);
    assert.match(r.log, /^mysql-entrypoint: error: database is uninitialized and password option is not specified$/m);
    for (const name of ['MYSQL_ROOT_PASSWORD', 'MYSQL_ALLOW_EMPTY_PASSWORD', 'MYSQL_RANDOM_ROOT_PASSWORD']) assert.ok(r.log.includes(name), r.log);
    assert.deepEqual(readdirSync(r.containerDir), ['0.log']);
    const root = runAsContainer([...MYSQL_ENTRYPOINT, 'mysqld'], 'rootuser', { MYSQL_ROOT_PASSWORD: 'x', MYSQL_USER: 'root', MYSQL_PASSWORD: 'y' });
    assert.equal(root.status, 1, root.log);
    assert.match(root.log, /MYSQL_USER=root/);
  });

  test('first start: the system tables with the accounts and database asked for, quoted; then the server with its own configuration', () => {
    const env = { MYSQL_ROOT_PASSWORD: "it's\\secret", MYSQL_DATABASE: 'my`db', MYSQL_USER: 'bob', MYSQL_PASSWORD: 'pw' };
    const args = ['mysqld', '--default-authentication-plugin=mysql_native_password', '--max-connections=10'];
    const r = runAsContainer([...MYSQL_ENTRYPOINT, ...args], 'first', env);
    assert.equal(r.status, 0, r.log);
    const own = join(r.containerDir, 'mysql');
    const data = join(own, 'data');
    assert.deepEqual(argsOf(r.install, 'install:'), [
      `--defaults-file=${own}/my.cnf`,
      `--datadir=${data}.init`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--extra-file=${own}/init.sql`,
    ]);
    assert.deepEqual(argsOf(r.install, 'sql:'), [
      "DELETE FROM mysql.global_priv WHERE User = '' OR Host <> 'localhost';",
      "DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';",
      'FLUSH PRIVILEGES;',
      "ALTER USER 'root'@'localhost' IDENTIFIED BY 'it''s\\\\secret';",
      "CREATE USER 'root'@'%' IDENTIFIED BY 'it''s\\\\secret';",
      "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
      'CREATE DATABASE IF NOT EXISTS `my``db`;',
      "CREATE USER 'bob'@'%' IDENTIFIED BY 'pw';",
      "GRANT ALL ON `my``db`.* TO 'bob'@'%';",
    ]);
    assert.ok(!existsSync(join(own, 'init.sql')), 'the SQL with the passwords is removed');
    assert.ok(existsSync(join(data, 'mysql')) && !existsSync(`${data}.init`));
    assert.deepEqual(argsOf(r.log, 'arg:'), [`--defaults-file=${own}/my.cnf`, '--max-connections=10']);
    assert.match(r.log, /ignoring --default-authentication-plugin=mysql_native_password/);
    const conf = readFileSync(join(own, 'my.cnf'), 'utf8');
    for (const line of ['[mysqld]', 'user = root', `datadir = ${data}`, `tmpdir = ${own}/tmp`, `pid-file = ${own}/run/mysqld.pid`, 'port = 3306', 'bind-address = 0.0.0.0', 'skip-name-resolve']) {
      assert.ok(conf.split('\n').includes(line), `${line} in\n${conf}`);
    }
    // The socket is in the container's directory: bound over /run/mysqld where that exists (root).
    assert.match(conf, new RegExp(`^socket = (${own}/run/mysqld\\.sock|/run/mysqld/mysqld\\.sock)$`, 'm'));

    const again = runAsContainer([...MYSQL_ENTRYPOINT, 'mysqld'], 'first');
    assert.equal(again.status, 0, again.log);
    assert.equal(argsOf(again.install, 'install:').length, 7, 'no second install');
  });

  test('MYSQL_RANDOM_ROOT_PASSWORD prints the password it generates; flags alone run the server; mariadbd too', () => {
    const r = runAsContainer([...MYSQL_ENTRYPOINT, '--max-connections=5'], 'random', { MYSQL_RANDOM_ROOT_PASSWORD: 'yes', MYSQL_ROOT_HOST: 'localhost' });
    assert.equal(r.status, 0, r.log);
    const generated = /^mysql-entrypoint: GENERATED ROOT PASSWORD: ([A-Za-z0-9]{32})$/m.exec(r.log)?.[1];
    assert.ok(generated, r.log);
    assert.deepEqual(argsOf(r.install, 'sql:').filter((l) => l.includes('root')), [`ALTER USER 'root'@'localhost' IDENTIFIED BY '${generated}';`]);
    assert.deepEqual(argsOf(r.log, 'arg:').slice(1), ['--max-connections=5']);
    const empty = runAsContainer([...MYSQL_ENTRYPOINT, 'mariadbd'], 'empty', { MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1' });
    assert.equal(empty.status, 0, empty.log);
    assert.ok(argsOf(empty.install, 'sql:').includes("ALTER USER 'root'@'localhost' IDENTIFIED BY '';"), empty.log);
  });

  test('any other command runs as given', () => {
    const r = runAsContainer([...MYSQL_ENTRYPOINT, '/bin/sh', '-c', 'echo hi'], 'shell');
    assert.equal(r.log, 'hi\n');
    assert.ok(!existsSync(join(r.containerDir, 'mysql')));
  });

  test('the host\'s MariaDB: initialised, serves its socket with the root password, SIGTERM shuts it down cleanly', { skip: (!isRoot && 'needs root') || (!hasMariadb && 'MariaDB is not installed'), timeout: 30_000 }, async () => {
    const { containerDir: cd, logPath } = containerDir('server');
    const fd = openSync(logPath, 'a');
    // A network namespace of its own, so port 3306 is not the host's.
    const child = spawn('unshare', ['--mount', '--net', '--propagation', 'private', '--', ...MYSQL_ENTRYPOINT, hostServer ?? 'mariadbd'], {
      stdio: ['ignore', fd, fd],
      detached: true,
      env: { PATH: sbinPath, MYSQL_ROOT_PASSWORD: 'secret', MYSQL_DATABASE: 'app' },
    });
    closeSync(fd);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const log = (): string => readFileSync(logPath, 'utf8');
    try {
      for (let i = 0; i < 200 && !/ready for connections/.test(log()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(log(), /ready for connections/);
      const socket = join(cd, 'mysql', 'run', 'mysqld.sock');
      const q = spawnSync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-psecret', '-Ne', 'select 1; show databases like "app"'], { encoding: 'utf8' });
      assert.equal(q.stdout, '1\napp\n', q.stderr);
      const denied = spawnSync('mariadb', ['--no-defaults', '-S', socket, '-uroot', '-e', 'select 1'], { encoding: 'utf8' });
      assert.notEqual(denied.status, 0, 'root needs its password');
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      assert.equal(await exited, 0, log());
      assert.match(log(), /Shutdown complete/);
    } finally {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});

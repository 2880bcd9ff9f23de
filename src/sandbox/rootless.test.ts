import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainUserNamespaces, hasSandboxRun, rootlessCommand, runFilesystemName, withSbin, type UserNamespaceReadings } from './rootless.js';

describe('explainUserNamespaces', () => {
  const cases: { name: string; readings: UserNamespaceReadings; want: RegExp | undefined }[] = [
    { name: 'the trial worked', readings: { maxUserNamespaces: '0\n', probeError: undefined }, want: undefined },
    { name: 'no user namespaces at all', readings: { maxUserNamespaces: '0\n', probeError: 'unshare: unshare failed: No space left on device' }, want: /user\.max_user_namespaces = 0\); as root: sysctl -w user\.max_user_namespaces=15000$/ },
    { name: "Debian's switch off", readings: { maxUserNamespaces: '63000\n', unprivilegedUsernsClone: '0\n', probeError: 'unshare: unshare failed: Operation not permitted' }, want: /sysctl -w kernel\.unprivileged_userns_clone=1$/ },
    { name: "Ubuntu's AppArmor restriction", readings: { maxUserNamespaces: '63000', unprivilegedUsernsClone: '1', apparmorRestrict: '1', probeError: 'unshare: write failed /proc/self/uid_map: Operation not permitted' }, want: /sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0 \(or an AppArmor profile/ },
    { name: 'unshare missing', readings: { maxUserNamespaces: '63000', probeError: 'spawnSync unshare ENOENT' }, want: /unshare is not installed \(Debian: apt-get install util-linux\)/ },
    { name: 'anything else: what unshare said', readings: { maxUserNamespaces: '63000', probeError: 'mount: /run: permission denied.\n' }, want: /^a user namespace could not be made: mount: \/run: permission denied\.$/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = explainUserNamespaces(c.readings);
      if (c.want === undefined) assert.equal(got, undefined);
      else assert.match(got ?? '', c.want);
    });
  }
});

describe('hasSandboxRun', () => {
  const run = (source: string, mountPoint = '/run', fstype = 'tmpfs') => `612 590 0:93 / ${mountPoint} rw,relatime - ${fstype} ${source} rw,mode=755,uid=1000,gid=1000`;
  const cases: { name: string; mountinfo: string; want: boolean }[] = [
    { name: "the sandbox's /run", mountinfo: [run('/dev/vda', '/', 'ext4'), run(runFilesystemName('1e2777'))].join('\n'), want: true },
    { name: "another cluster's /run", mountinfo: run(runFilesystemName('abc123')), want: false },
    { name: "the host's /run", mountinfo: run('tmpfs'), want: false },
    { name: 'the name on another mount point', mountinfo: run(runFilesystemName('1e2777'), '/tmp/x'), want: false },
    { name: 'optional fields before the separator', mountinfo: `612 590 0:93 / /run rw,relatime shared:5 master:1 - tmpfs ${runFilesystemName('1e2777')} rw`, want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(hasSandboxRun(c.mountinfo, '1e2777'), c.want));
});

test('rootlessCommand: unshare with the caller as root and private mounts, then the setup script, then the command', () => {
  const { cmd, args } = rootlessCommand('1e2777', ['/usr/bin/node', 'main.js', 'up']);
  assert.equal(cmd, 'unshare');
  const dash = args.indexOf('--');
  assert.deepEqual(args.slice(0, dash), ['--user', '--map-root-user', '--mount', '--propagation', 'private']);
  assert.equal(args[dash + 1], '/bin/sh');
  assert.equal(args[dash + 2], '-c');
  assert.deepEqual(args.slice(dash + 4), ['sh', runFilesystemName('1e2777'), '/usr/bin/node', 'main.js', 'up']);
  // No network namespace of its own: the API server and the published ports stay on the host's loopback.
  assert.ok(!args.slice(0, dash).some((a) => a.startsWith('--net')));
});

test('withSbin appends the sbin directories a user PATH lacks, once', () => {
  assert.equal(withSbin('/usr/bin:/bin'), '/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
  assert.equal(withSbin('/usr/sbin:/usr/bin'), '/usr/sbin:/usr/bin:/usr/local/sbin:/sbin');
  assert.equal(withSbin(undefined), '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
});

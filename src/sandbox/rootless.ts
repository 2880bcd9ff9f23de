/**
 * The rootless sandbox: without root, `up` runs itself inside a user namespace of its own (the
 * caller mapped to uid 0) with a private mount namespace, in the host's network namespace.
 * There it may create and change network namespaces, but only those it makes: the host's
 * network belongs to the initial user namespace, where it has no capability at all.
 *
 * `ip netns` keeps namespaces as bind mounts under /run/netns, which a user cannot create on
 * the host. Inside the private mount namespace, /run becomes a tmpfs (named
 * `switchboard-<sandbox id>`, which is how `down` recognizes the sandbox's processes later)
 * holding the host's /run entries bound back in place (/etc/resolv.conf may point into
 * /run/systemd/resolve), with an empty /run/netns of its own. Nothing of this is seen outside.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isRunning } from './network.js';

/**
 * Runs in the new namespaces before `up` itself: builds the new /run, then execs the rest of
 * the command line. Arguments: the tmpfs's name, then the command. Mounts use -n: there is no
 * /run/mount/utab to update while /run is being replaced.
 */
const SETUP = `set -eu
name=$1; shift
stage=$(mktemp -d /tmp/switchboard-run.XXXXXX)
trap 'umount -n -l "$stage" 2>/dev/null; rmdir "$stage" 2>/dev/null' EXIT
mount -n -t tmpfs -o mode=0755 "$name" "$stage"
for entry in /run/* /run/.[!.]* /run/..?*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  n=\${entry#/run/}
  [ "$n" = netns ] && continue
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$stage/$n"
  elif [ -d "$entry" ]; then mkdir "$stage/$n"; mount -n --rbind "$entry" "$stage/$n" || echo "switchboard: $entry is not visible inside the sandbox" >&2
  else : >"$stage/$n"; mount -n --bind "$entry" "$stage/$n" || echo "switchboard: $entry is not visible inside the sandbox" >&2
  fi
done
mkdir -m 0755 "$stage/netns"
mount -n --move "$stage" /run
trap - EXIT
rmdir "$stage"
exec "$@"`;

/** Where `ip`, `nft`, `conntrack` and `sysctl` live; a user's PATH often lacks them. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The tmpfs on the sandbox's /run: its name ties a process to one cluster's sandbox. */
export function runFilesystemName(sandboxId: string): string {
  return `switchboard-${sandboxId}`;
}

/** `command` run inside a new user namespace (caller as root) and private mount namespace, with /run prepared. */
export function rootlessCommand(sandboxId: string, command: string[]): { cmd: string; args: string[] } {
  return {
    cmd: 'unshare',
    args: ['--user', '--map-root-user', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', SETUP, 'sh', runFilesystemName(sandboxId), ...command],
  };
}

/** PATH with the sbin directories appended where missing. */
export function withSbin(path: string | undefined): string {
  const parts = (path ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
  return [...parts, ...SBIN.filter((d) => !parts.includes(d))].join(':');
}

export interface UserNamespaceReadings {
  /** /proc/sys/user/max_user_namespaces (absent: undefined). */
  maxUserNamespaces?: string;
  /** /proc/sys/kernel/unprivileged_userns_clone (Debian's and some other kernels' switch). */
  unprivilegedUsernsClone?: string;
  /** /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu 23.10 and later). */
  apparmorRestrict?: string;
  /** What a trial `unshare` said when it failed; undefined when it worked. */
  probeError?: string;
}

/** The kernel switches that turn unprivileged user namespaces off: the reading, its "off" value, and the value that allows them. */
const SWITCHES: { reading: keyof UserNamespaceReadings; sysctl: string; off: string; on: string; also?: string }[] = [
  { reading: 'maxUserNamespaces', sysctl: 'user.max_user_namespaces', off: '0', on: '15000' },
  { reading: 'unprivilegedUsernsClone', sysctl: 'kernel.unprivileged_userns_clone', off: '0', on: '1' },
  { reading: 'apparmorRestrict', sysctl: 'kernel.apparmor_restrict_unprivileged_userns', off: '1', on: '0', also: ' (or an AppArmor profile that allows user namespaces for unshare)' },
];

/**
 * Why a user cannot get a user namespace here, with the setting that changes it; undefined
 * when the trial worked. The sysctls explain a failed trial; the trial has the last word.
 */
export function explainUserNamespaces(r: UserNamespaceReadings): string | undefined {
  if (r.probeError === undefined) return undefined;
  for (const s of SWITCHES) {
    if (r[s.reading]?.trim() !== s.off) continue;
    return `unprivileged user namespaces are disabled (${s.sysctl} = ${s.off}); as root: sysctl -w ${s.sysctl}=${s.on}${s.also ?? ''}`;
  }
  if (/ENOENT/.test(r.probeError)) return 'unshare is not installed (Debian: apt-get install util-linux)';
  return `a user namespace could not be made: ${r.probeError.trim()}`;
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Tries what the rootless sandbox needs (a user namespace with a tmpfs mounted in it) and
 * says why it cannot run here, or undefined when it can. About 5 ms.
 */
export function userNamespaceProblem(): string | undefined {
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', '--propagation', 'private', '--', 'mount', '-n', '-t', 'tmpfs', 'switchboard-probe', '/run'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: withSbin(process.env.PATH) },
    timeout: 10_000,
  });
  const probeError = r.error ? `${r.error.message}` : r.status === 0 ? undefined : r.stderr || `exit code ${r.status ?? r.signal}`;
  return explainUserNamespaces({
    maxUserNamespaces: readSysctl('/proc/sys/user/max_user_namespaces'),
    unprivilegedUsernsClone: readSysctl('/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrict: readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    ...(probeError === undefined ? {} : { probeError }),
  });
}

/** The first port a user may open on the host (`net.ipv4.ip_unprivileged_port_start`, 1024 unless changed). */
export function unprivilegedPortStart(): number {
  const n = Number(readSysctl('/proc/sys/net/ipv4/ip_unprivileged_port_start')?.trim());
  return Number.isInteger(n) ? n : 1024;
}

/** The user namespace of a process (`user:[4026531837]`), or undefined if it is gone or unreadable. */
export function userNamespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

/** True when a mount table (`/proc/<pid>/mountinfo`) has /run on the sandbox's tmpfs. */
export function hasSandboxRun(mountinfo: string, sandboxId: string): boolean {
  const name = runFilesystemName(sandboxId);
  return mountinfo.split('\n').some((line) => {
    const [fields = '', rest = ''] = line.split(' - ');
    return fields.split(' ')[4] === '/run' && rest.split(' ')[0] === 'tmpfs' && rest.split(' ')[1] === name;
  });
}

/**
 * The processes of one rootless sandbox: in its user namespace and with the sandbox's /run.
 * Both are checked: a user namespace's number is reused once it is gone, and a cluster that
 * died leaves only the number in status.json.
 */
export function sandboxProcesses(userNamespace: string, sandboxId: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || userNamespaceOf(pid) !== userNamespace) continue;
    try {
      if (hasSandboxRun(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), sandboxId)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Ends every process of a rootless sandbox (SIGKILL, by pid) and waits, briefly, until they
 * are gone; the namespaces they held go with them. Returns the pids it signalled.
 */
export async function stopSandboxProcesses(userNamespace: string, sandboxId: string): Promise<number[]> {
  const signalled: number[] = [];
  for (let round = 0; round < 5; round++) {
    const pids = sandboxProcesses(userNamespace, sandboxId).filter(isRunning);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        if (!signalled.includes(pid)) signalled.push(pid);
      } catch {
        // already gone
      }
    }
    for (let waited = 0; waited < 2000 && pids.some(isRunning); waited += 20) await new Promise((r) => setTimeout(r, 20));
  }
  return signalled;
}

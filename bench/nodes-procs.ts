/**
 * The memory of the pods' processes: every process whose network namespace is one of the
 * cluster's pod namespaces. One pass over /proc (the namespace of a process is the inode its
 * /proc/<pid>/ns/net link names; a namespace under /run/netns is a bind mount of the same
 * inode), instead of one `ip netns pids` per pod.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

export interface PodProcessMemory {
  processes: number;
  /** Namespaces with at least one process in them. */
  namespacesWithProcesses: number;
  /** Sum of VmRSS (shared pages counted once per process). */
  rssMb: number;
  /** Sum of Pss from smaps_rollup (shared pages split between their users). */
  pssMb: number;
  /** CPU the processes used so far, with their exited children's (mount, ...), seconds. */
  cpuS: number;
}

function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** utime + stime + cutime + cstime (fields 14-17 of /proc/<pid>/stat), at 100 ticks/s. */
function cpuSeconds(stat: string): number {
  if (!stat) return 0;
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return rest.slice(11, 15).reduce((a, b) => a + (b || 0), 0) / 100;
}

export function podProcessMemory(namespaces: readonly string[]): PodProcessMemory {
  const inodes = new Map<number, string>();
  for (const ns of namespaces) {
    try {
      inodes.set(statSync(`/run/netns/${ns}`).ino, ns);
    } catch {
      // removed meanwhile
    }
  }
  const seen = new Set<string>();
  const total: PodProcessMemory = { processes: 0, namespacesWithProcesses: 0, rssMb: 0, pssMb: 0, cpuS: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let link: string;
    try {
      link = readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      continue;
    }
    const ns = inodes.get(Number(/\[(\d+)\]/.exec(link)?.[1]));
    if (ns === undefined) continue;
    seen.add(ns);
    total.processes++;
    total.rssMb += kbField(readOr(`/proc/${entry}/status`), 'VmRSS') / 1024;
    total.pssMb += kbField(readOr(`/proc/${entry}/smaps_rollup`), 'Pss') / 1024;
    total.cpuS += cpuSeconds(readOr(`/proc/${entry}/stat`));
  }
  total.namespacesWithProcesses = seen.size;
  return total;
}

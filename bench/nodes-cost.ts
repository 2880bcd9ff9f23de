/**
 * Where a phase's time goes, from /proc: CPU seconds the `up` process (API server, controllers
 * and node agent) used, and how many processes the whole machine created (the `processes`
 * counter of /proc/stat: forks since boot), so a phase's cost per pod can be shown.
 */
import { readFileSync } from 'node:fs';
import { childrenOf } from './nodes-cluster.js';

export interface CostSample {
  /** utime + stime of the process, seconds. */
  cpuS: number;
  /**
   * Its waited-for children's (cutime + cstime), and its living children's own CPU with
   * theirs: the spawner's `ip`, `unshare`, launchers and containers that exited, the brokers.
   */
  childCpuS: number;
  forks: number;
}

const TICKS_PER_S = 100;

/** utime, stime, cutime, cstime (fields 14-17 of /proc/<pid>/stat), in ticks; zeros if gone. */
function times(pid: number): number[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name start at field 3 (state).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
  } catch {
    return [0, 0, 0, 0];
  }
}

export function sampleCost(pid: number): CostSample {
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = times(pid);
  const helpers = childrenOf(pid).reduce((sum, child) => sum + times(child).reduce((a, b) => a + b, 0), 0);
  const forks = Number(/^processes (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  return { cpuS: (utime + stime) / TICKS_PER_S, childCpuS: (cutime + cstime + helpers) / TICKS_PER_S, forks };
}

export interface Cost {
  cpuS: number;
  childCpuS: number;
  forks: number;
}

export function costBetween(a: CostSample, b: CostSample): Cost {
  return { cpuS: b.cpuS - a.cpuS, childCpuS: b.childCpuS - a.childCpuS, forks: b.forks - a.forks };
}

/**
 * "up process 12 ms CPU/pod, ...". /proc/stat's counter counts every clone, threads included,
 * so a container that is a Node.js program adds its threads to the tasks.
 */
export function describeCost(cost: Cost, pods: number): string {
  const per = (v: number): string => (v / pods).toFixed(v / pods >= 10 ? 0 : 1);
  return `up process ${per(cost.cpuS * 1000)} ms CPU/pod, its helpers and exited children (spawner, ip, unshare...) ${per(cost.childCpuS * 1000)} ms/pod, ${per(cost.forks)} tasks (processes and threads) created/pod machine-wide`;
}

/**
 * Where a phase's time goes, from /proc: CPU seconds the `up` process (API server, controllers
 * and node agent) used, and how many processes the whole machine created (the `processes`
 * counter of /proc/stat: forks since boot), so a phase's cost per pod can be shown.
 */
import { readFileSync } from 'node:fs';

export interface CostSample {
  /** utime + stime of the process, and of its waited-for children (cutime + cstime), seconds. */
  cpuS: number;
  childCpuS: number;
  forks: number;
}

const TICKS_PER_S = 100;

export function sampleCost(pid: number): CostSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const field = (n: number): number => rest[n - 3] ?? 0;
  const forks = Number(/^processes (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  return { cpuS: (field(14) + field(15)) / TICKS_PER_S, childCpuS: (field(16) + field(17)) / TICKS_PER_S, forks };
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
  return `up process ${per(cost.cpuS * 1000)} ms CPU/pod, its exited children (ip, nsenter...) ${per(cost.childCpuS * 1000)} ms/pod, ${per(cost.forks)} tasks (processes and threads) created/pod machine-wide`;
}

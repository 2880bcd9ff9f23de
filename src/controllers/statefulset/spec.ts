/** The parts of a StatefulSet the controller reads, with the API server's defaults assumed. */
import { isRecord, type KubeObject } from '../../api/types.js';

export interface StatefulSetSpecView {
  name: string;
  replicas: number;
  /** spec.ordinals.start: the first ordinal (0 unless set). */
  startOrdinal: number;
  serviceName: string;
  /** OrderedReady waits for each pod in turn; Parallel does not. */
  parallel: boolean;
  onDelete: boolean;
  partition: number;
  minReadySeconds: number;
  revisionHistoryLimit: number;
}

function int(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

export function statefulSetSpec(sts: KubeObject): StatefulSetSpecView {
  const spec = isRecord(sts.spec) ? sts.spec : {};
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  const rolling = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const ordinals = isRecord(spec.ordinals) ? spec.ordinals : {};
  return {
    name: sts.metadata.name ?? '',
    replicas: int(spec.replicas, 1),
    startOrdinal: int(ordinals.start, 0),
    serviceName: typeof spec.serviceName === 'string' ? spec.serviceName : '',
    parallel: spec.podManagementPolicy === 'Parallel',
    onDelete: strategy.type === 'OnDelete',
    partition: int(rolling.partition, 0),
    minReadySeconds: int(spec.minReadySeconds, 0),
    revisionHistoryLimit: int(spec.revisionHistoryLimit, 10),
  };
}

/** The ordinal of a pod named `<set>-<n>`, or undefined for any other name. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  const prefix = `${setName}-`;
  if (!podName.startsWith(prefix)) return undefined;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

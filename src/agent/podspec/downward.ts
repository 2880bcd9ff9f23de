/**
 * Downward API values for env: `fieldRef` (podFieldSelectorRuntimeValue,
 * ExtractFieldPathAsString) and `resourceFieldRef` (ExtractContainerResourceValue, with
 * missing limits defaulted to node allocatable as defaultPodLimitsForDownwardAPI does).
 */
import type { KubeObject } from '../../api/types.js';
import { ceilDiv, milliValue, parseQuantity, value, type Fraction } from './quantity.js';
import { podSpecOf, type ContainerSpec, type ResourceFieldSelector, type ResourceList } from './types.js';

export interface PodRuntimeFacts {
  /** Pod IPs, primary (node's preferred family) first. */
  podIPs: string[];
  hostIPs: string[];
  nodeName?: string;
  serviceAccountName?: string;
  /** Node allocatable: stands in for limits.cpu/memory/ephemeral-storage when unset. */
  nodeAllocatable?: ResourceList;
}

type ValueResult = { ok: true; value: string } | { ok: false; message: string };

const subscripted = /^metadata\.(labels|annotations)\['(.*)'\]$/;

export function fieldRefValue(pod: KubeObject, fieldPath: string, facts: PodRuntimeFacts): ValueResult {
  const spec = podSpecOf(pod);
  const simple: Record<string, () => string> = {
    'metadata.name': () => pod.metadata.name ?? '',
    'metadata.namespace': () => pod.metadata.namespace ?? '',
    'metadata.uid': () => pod.metadata.uid ?? '',
    'metadata.labels': () => formatMap(pod.metadata.labels ?? {}),
    'metadata.annotations': () => formatMap(pod.metadata.annotations ?? {}),
    'spec.nodeName': () => spec.nodeName ?? facts.nodeName ?? '',
    'spec.serviceAccountName': () => spec.serviceAccountName ?? facts.serviceAccountName ?? '',
    'status.podIP': () => facts.podIPs[0] ?? '',
    'status.podIPs': () => facts.podIPs.join(','),
    'status.hostIP': () => facts.hostIPs[0] ?? '',
    'status.hostIPs': () => facts.hostIPs.join(','),
  };
  const read = simple[fieldPath];
  if (read) return { ok: true, value: read() };
  const match = subscripted.exec(fieldPath);
  if (match) {
    const map = match[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return { ok: true, value: map?.[match[2] ?? ''] ?? '' };
  }
  return { ok: false, message: `unsupported fieldPath: ${fieldPath}` };
}

/** `key="value"` lines in key order, as the downward API prints whole label maps. */
function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join('\n');
}

const allocatableDefaulted = ['cpu', 'memory', 'ephemeral-storage'];

export function resourceFieldRefValue(
  pod: KubeObject,
  container: ContainerSpec,
  selector: ResourceFieldSelector,
  facts: PodRuntimeFacts,
): ValueResult {
  const target = selector.containerName ? findContainer(pod, selector.containerName) : container;
  if (!target) return { ok: false, message: `container ${selector.containerName ?? ''} not found` };
  const [kind, resourceName = ''] = splitResource(selector.resource);
  const supported = allocatableDefaulted.includes(resourceName) || resourceName.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !supported) {
    return { ok: false, message: `Unsupported container resource : ${selector.resource}` };
  }
  const amount = resourceAmount(target, kind, resourceName, facts) ?? { numerator: 0n, denominator: 1n };
  const divisor = parseQuantity(selector.divisor ?? '1') ?? { numerator: 1n, denominator: 1n };
  // Zero divisor means "unset" to the kubelet, which then divides by 1.
  const effective = divisor.numerator === 0n ? { numerator: 1n, denominator: 1n } : divisor;
  return { ok: true, value: String(divideRoundingUp(amount, effective, resourceName === 'cpu')) };
}

function splitResource(resource: string): [string, string | undefined] {
  const dot = resource.indexOf('.');
  return dot === -1 ? [resource, undefined] : [resource.slice(0, dot), resource.slice(dot + 1)];
}

/**
 * A request falls back to the limit (what API defaulting stores), a limit to node allocatable.
 */
function resourceAmount(
  container: ContainerSpec,
  kind: 'limits' | 'requests',
  name: string,
  facts: PodRuntimeFacts,
): Fraction | undefined {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const quantity = (list: ResourceList | undefined): Fraction | undefined =>
    list?.[name] === undefined ? undefined : parseQuantity(list[name] ?? '');
  if (kind === 'requests') return quantity(requests) ?? quantity(limits);
  const limit = quantity(limits);
  if (limit || !allocatableDefaulted.includes(name)) return limit;
  return quantity(facts.nodeAllocatable);
}

/** cpu divides milli-values, everything else whole values; both round up. */
function divideRoundingUp(amount: Fraction, divisor: Fraction, isCPU: boolean): bigint {
  if (isCPU) return ceilDiv(milliValue(amount), milliValue(divisor));
  return ceilDiv(value(amount), value(divisor));
}

function findContainer(pod: KubeObject, name: string): ContainerSpec | undefined {
  const spec = podSpecOf(pod);
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c) => c.name === name);
}

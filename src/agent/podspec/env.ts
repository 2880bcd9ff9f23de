/**
 * The environment the kubelet gives one container (makeEnvironmentVariables): service links,
 * envFrom, then env with `$(VAR)` expansion and valueFrom sources.
 */
import type { KubeObject } from '../../api/types.js';
import { fieldRefValue, resourceFieldRefValue, type PodRuntimeFacts } from './downward.js';
import { cachedReader, missingKeyMessage, notFoundMessage, type EnvObjectLookup, type SourceKind } from './env-sources.js';
import { expandVariables, lookupIn } from './expand.js';
import { serviceLinkEnv, serviceLinkServices } from './service-links.js';
import {
  namespaceOf,
  podSpecOf,
  type ContainerSpec,
  type EnvFromSource,
  type EnvVar,
  type EnvVarSpec,
  type KeySelector,
  type PodSpecResult,
} from './types.js';

export interface ContainerEnvOptions extends PodRuntimeFacts, EnvObjectLookup {
  /** Services that existed when the pod started: its namespace's, plus default/kubernetes. */
  services: KubeObject[];
  /**
   * envFrom key check. 'relaxed' (RelaxedEnvironmentVariableValidation, on by default since
   * 1.32): any printable ASCII but '='. 'strict': `[-._a-zA-Z][-._a-zA-Z0-9]*`.
   */
  envVarNameValidation?: 'relaxed' | 'strict';
}

/** A Warning event the kubelet records on the pod while still starting the container. */
export interface EnvEvent {
  reason: 'InvalidEnvironmentVariableNames';
  message: string;
}

export interface ContainerEnv {
  /** Unique names: service links not overridden by the container, then the container's own. */
  env: EnvVar[];
  events: EnvEvent[];
}

interface EnvContext {
  pod: KubeObject;
  container: ContainerSpec;
  options: ContainerEnvOptions;
  read: ReturnType<typeof cachedReader>;
  vars: Map<string, string>;
  events: EnvEvent[];
}

type Resolution = { kind: 'set'; value: string } | { kind: 'skip' } | { kind: 'error'; message: string };

export function containerEnv(
  pod: KubeObject,
  container: ContainerSpec,
  options: ContainerEnvOptions,
): PodSpecResult<ContainerEnv> {
  const services = serviceLinkServices(options.services, {
    namespace: namespaceOf(pod),
    enableServiceLinks: podSpecOf(pod).enableServiceLinks !== false,
  });
  const serviceVars = new Map(serviceLinkEnv(services).map((v) => [v.name, v.value]));
  const context: EnvContext = { pod, container, options, read: cachedReader(options), vars: new Map(), events: [] };

  for (const source of container.envFrom ?? []) {
    const message = applyEnvFrom(context, source);
    if (message !== undefined) return configError(message);
  }
  const lookup = lookupIn(context.vars, serviceVars);
  for (const envVar of container.env ?? []) {
    const resolved = envVar.value ? { kind: 'set' as const, value: expandVariables(envVar.value, lookup) } : resolveSource(context, envVar);
    if (resolved.kind === 'error') return configError(resolved.message);
    if (resolved.kind === 'set') context.vars.set(envVar.name, resolved.value);
  }

  const env: EnvVar[] = [];
  for (const [name, value] of serviceVars) if (!context.vars.has(name)) env.push({ name, value });
  for (const [name, value] of context.vars) env.push({ name, value });
  return { ok: true, value: { env, events: context.events } };
}

/** Returns an error message, or undefined when the source was applied or optional and absent. */
function applyEnvFrom(context: EnvContext, source: EnvFromSource): string | undefined {
  const ref = source.configMapRef ?? source.secretRef;
  if (!ref) return undefined;
  const kind: SourceKind = source.configMapRef ? 'configmap' : 'secret';
  const name = ref.name ?? '';
  const data = context.read(kind, name);
  if (!data) return ref.optional === true ? undefined : notFoundMessage(kind, name);
  const invalid: string[] = [];
  for (const [key, value] of data) {
    const varName = (source.prefix ?? '') + key;
    if (isValidEnvVarName(varName, context.options.envVarNameValidation ?? 'relaxed')) context.vars.set(varName, value);
    else invalid.push(varName);
  }
  if (invalid.length > 0) context.events.push(invalidNamesEvent(context.pod, kind, name, invalid));
  return undefined;
}

function isValidEnvVarName(name: string, rule: 'relaxed' | 'strict'): boolean {
  if (rule === 'strict') return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name);
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name);
}

function invalidNamesEvent(pod: KubeObject, kind: SourceKind, name: string, keys: string[]): EnvEvent {
  const sorted = [...keys].sort().join(', ');
  return {
    reason: 'InvalidEnvironmentVariableNames',
    message:
      `Keys [${sorted}] from the EnvFrom ${kind === 'configmap' ? 'configMap' : 'secret'} ` +
      `${namespaceOf(pod)}/${name} were skipped since they are considered invalid environment variable names.`,
  };
}

/** A value that is empty and has no source is an empty variable, as in the kubelet. */
function resolveSource(context: EnvContext, envVar: EnvVarSpec): Resolution {
  const from = envVar.valueFrom;
  if (from?.fieldRef) return fromValueResult(fieldRefValue(context.pod, from.fieldRef.fieldPath, context.options));
  if (from?.resourceFieldRef) {
    return fromValueResult(resourceFieldRefValue(context.pod, context.container, from.resourceFieldRef, context.options));
  }
  if (from?.configMapKeyRef) return resolveKey(context, 'configmap', from.configMapKeyRef);
  if (from?.secretKeyRef) return resolveKey(context, 'secret', from.secretKeyRef);
  return { kind: 'set', value: '' };
}

function fromValueResult(result: { ok: true; value: string } | { ok: false; message: string }): Resolution {
  return result.ok ? { kind: 'set', value: result.value } : { kind: 'error', message: result.message };
}

/** Optional references to a missing object or key leave the variable unset. */
function resolveKey(context: EnvContext, kind: SourceKind, selector: KeySelector): Resolution {
  const name = selector.name ?? '';
  const optional = selector.optional === true;
  const data = context.read(kind, name);
  if (!data) return optional ? { kind: 'skip' } : { kind: 'error', message: notFoundMessage(kind, name) };
  const value = data.get(selector.key);
  if (value !== undefined) return { kind: 'set', value };
  if (optional) return { kind: 'skip' };
  return { kind: 'error', message: missingKeyMessage(kind, namespaceOf(context.pod), name, selector.key) };
}

function configError(message: string): PodSpecResult<ContainerEnv> {
  return { ok: false, error: { reason: 'CreateContainerConfigError', message } };
}

/** Shared checks for workloads: the selector, the pod template, replicas, IntOrString percents. */
import { type FieldError, fieldErrors } from '../field.js';
import type { LabelSelector } from '../types.js';
import { selectorFromLabelSelector, LabelSelectorError } from '../labels.js';
import { type Obj, rec, strMap } from './access.js';
import { validateLabels, validateNonNegative } from './meta.js';
import { validatePodSpec } from './pod.js';
import { isEmptyLabelSelector, validateLabelSelector } from './selector.js';

export const selectorMismatchMessage = '`selector` does not match template `labels`';

/** spec.selector: required, well formed, and (for apps/v1) not empty. */
export function validateWorkloadSelector(spec: Obj, kindWord: string): FieldError[] {
  if (spec.selector === undefined || spec.selector === null) return [fieldErrors.required('spec.selector', '')];
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (isEmptyLabelSelector(spec.selector)) {
    errs.push(fieldErrors.invalid('spec.selector', spec.selector, `empty selector is invalid for ${kindWord}`));
  }
  return errs;
}

export interface TemplateRules {
  /** The workload's selector as a matcher; undefined when it is missing or malformed. */
  matchesLabels?: (labels: Record<string, string>) => boolean;
  restartPolicies: string[];
  /** Kind named in the "activeDeadlineSeconds in X is not Supported" message; omit to allow it. */
  forbidDeadlineFor?: string;
}

export function labelSelectorMatcher(selector: unknown): ((labels: Record<string, string>) => boolean) | undefined {
  const s = rec(selector);
  if (!s || isEmptyLabelSelector(s)) return undefined;
  try {
    const compiled = selectorFromLabelSelector(s as LabelSelector);
    return (labels) => compiled.matches(labels);
  } catch (err) {
    if (err instanceof LabelSelectorError) return undefined; // reported by validateLabelSelector
    throw err;
  }
}

export function validatePodTemplate(templateValue: unknown, rules: TemplateRules): FieldError[] {
  const template = rec(templateValue);
  if (!template) return [fieldErrors.required('spec.template', '')];
  const labels = strMap(rec(template.metadata)?.labels) ?? {};
  const errs = validateLabels(labels, 'spec.template.metadata.labels');
  if (rules.matchesLabels && !rules.matchesLabels(labels)) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels, selectorMismatchMessage));
  }
  const podSpec = rec(template.spec) ?? {};
  errs.push(...validatePodSpec(podSpec, 'spec.template.spec'));
  const restartPolicy = podSpec.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== '' && !rules.restartPolicies.includes(String(restartPolicy))) {
    errs.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', restartPolicy, rules.restartPolicies));
  }
  if (rules.forbidDeadlineFor && podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(
      fieldErrors.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${rules.forbidDeadlineFor} is not Supported`),
    );
  }
  return errs;
}

export function validateReplicas(spec: Obj): FieldError[] {
  return validateNonNegative(spec.replicas, 'spec.replicas');
}

const percentMessage =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** maxUnavailable / maxSurge: a non-negative integer or a percentage up to 100%. */
export function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) return [fieldErrors.invalid(path, value, percentMessage)];
    if (Number(value.slice(0, -1)) > 100) return [fieldErrors.invalid(path, value, 'must not be greater than 100%')];
    return [];
  }
  return validateNonNegative(value, path);
}

export function isZeroIntOrPercent(value: unknown): boolean {
  return value === 0 || value === '0%';
}

/** The rolling-update pair shared by Deployments and DaemonSets. */
export function validateRollingUpdate(rolling: Obj, path: string, defaults: { maxSurge: unknown }): FieldError[] {
  const errs = [
    ...validateIntOrPercent(rolling.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(rolling.maxSurge, `${path}.maxSurge`),
  ];
  const surge = rolling.maxSurge ?? defaults.maxSurge;
  if (isZeroIntOrPercent(rolling.maxUnavailable) && isZeroIntOrPercent(surge)) {
    errs.push(fieldErrors.invalid(`${path}.maxUnavailable`, rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

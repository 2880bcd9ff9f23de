/** batch/v1 Job (pkg/apis/batch/validation ValidateJob, ValidateJobUpdate). */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, rec, str, strMap } from './access.js';
import { validateEnum, validateImmutable, validateNonNegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector } from './selector.js';
import { labelSelectorMatcher, validatePodTemplate } from './template.js';

export const jobControllerUidLabel = 'batch.kubernetes.io/controller-uid';

function specOf(obj: Obj): Obj {
  return rec(obj.spec) ?? {};
}

export function validateJob(job: Obj): FieldError[] {
  const spec = specOf(job);
  const errs = validateObjectMeta(job.metadata, { namespaced: true, validateName: nameIsDNSSubdomain });
  if (spec.selector === undefined || spec.selector === null) errs.push(fieldErrors.required('spec.selector', ''));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateGeneratedSelector(job, spec));
  errs.push(
    ...validatePodTemplate(spec.template, {
      matchesLabels: labelSelectorMatcher(spec.selector),
      restartPolicies: ['OnFailure', 'Never'],
    }),
  );
  for (const field of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    errs.push(...validateNonNegative(spec[field], `spec.${field}`));
  }
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= 0) {
    errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', deadline, 'must be greater than 0'));
  }
  errs.push(...validateEnum(spec.completionMode, ['Indexed', 'NonIndexed'], 'spec.completionMode', false));
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(fieldErrors.required('spec.completions', 'when completion mode is Indexed'));
  }
  errs.push(...validateEnum(spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed'], 'spec.podReplacementPolicy', false));
  return errs;
}

/** Unless manualSelector is true, the selector must be the one generated from the Job's uid. */
function validateGeneratedSelector(job: Obj, spec: Obj): FieldError[] {
  if (spec.manualSelector === true) return [];
  const uid = str(rec(job.metadata)?.uid);
  const selector = rec(spec.selector);
  if (!uid || !selector) return [];
  const matchLabels = strMap(selector.matchLabels) ?? {};
  const errs: FieldError[] = [];
  if (matchLabels[jobControllerUidLabel] !== uid) {
    errs.push(fieldErrors.invalid('spec.selector', selector, '`selector` not auto-generated'));
  }
  const labels = strMap(rec(rec(spec.template)?.metadata)?.labels) ?? {};
  if (labels[jobControllerUidLabel] !== uid) {
    errs.push(fieldErrors.invalid(`spec.template.metadata.labels[${jobControllerUidLabel}]`, labels[jobControllerUidLabel] ?? '', `must be '${uid}'`));
  }
  return errs;
}

export function validateJobUpdate(job: Obj, old: Obj): FieldError[] {
  const spec = specOf(job);
  const oldSpec = specOf(old);
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  errs.push(...validateImmutable(spec.selector, oldSpec.selector, 'spec.selector'));
  errs.push(...validateImmutable(spec.template, oldSpec.template, 'spec.template'));
  errs.push(...validateImmutable(spec.completionMode, oldSpec.completionMode, 'spec.completionMode'));
  if (spec.completionMode !== 'Indexed') errs.push(...validateImmutable(spec.completions, oldSpec.completions, 'spec.completions'));
  return errs;
}

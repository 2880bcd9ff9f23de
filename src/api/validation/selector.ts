/** metav1.LabelSelector validation (apimachinery meta/v1/validation ValidateLabelSelector). */
import { type FieldError, fieldErrors } from '../field.js';
import { list, rec, records, str } from './access.js';
import { validateLabels } from './meta.js';
import { labelValueErrors, qualifiedNameErrors } from './names.js';

export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const s = rec(selector);
  if (!s) return [];
  const errs = validateLabels(s.matchLabels, `${path}.matchLabels`);
  for (const [i, expr] of records(s.matchExpressions)) {
    errs.push(...validateRequirement(expr, `${path}.matchExpressions[${i}]`));
  }
  return errs;
}

function validateRequirement(expr: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const operator = str(expr.operator) ?? '';
  const values = list(expr.values);
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length === 0) errs.push(fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (operator === 'Exists' || operator === 'DoesNotExist') {
    if (values.length > 0) errs.push(fieldErrors.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else {
    errs.push(fieldErrors.invalid(`${path}.operator`, operator, 'not a valid selector operator'));
  }
  const key = str(expr.key) ?? '';
  for (const msg of qualifiedNameErrors(key)) errs.push(fieldErrors.invalid(`${path}.key`, key, msg));
  values.forEach((v, j) => {
    for (const msg of labelValueErrors(String(v))) errs.push(fieldErrors.invalid(`${path}.values[${j}]`, v, msg));
  });
  return errs;
}

/** A selector with neither matchLabels nor matchExpressions (it would select everything). */
export function isEmptyLabelSelector(selector: unknown): boolean {
  const s = rec(selector);
  if (!s) return true;
  return Object.keys(rec(s.matchLabels) ?? {}).length === 0 && list(s.matchExpressions).length === 0;
}

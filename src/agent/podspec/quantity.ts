/**
 * Kubernetes resource quantities ("500m", "1.5", "2Gi", "1e3") as exact fractions, enough
 * for the downward API's rounding rules (Quantity.MilliValue and Value both round up).
 */

export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

const quantityPattern = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]i?|Ki)?$/;

const decimalExponent: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binaryExponent: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

export function parseQuantity(text: string | number): Fraction | undefined {
  const match = quantityPattern.exec(String(text).trim());
  if (!match) return undefined;
  const [, sign = '', digits = '', suffix = ''] = match;
  const [whole = '', fractionDigits = ''] = digits.split('.');
  let numerator = BigInt((whole || '0') + fractionDigits) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fractionDigits.length);
  const scale = suffixScale(suffix);
  if (scale === undefined) return undefined;
  if (scale.base === 2n) numerator *= 2n ** BigInt(scale.power);
  else if (scale.power >= 0) numerator *= 10n ** BigInt(scale.power);
  else denominator *= 10n ** BigInt(-scale.power);
  return { numerator, denominator };
}

function suffixScale(suffix: string): { base: bigint; power: number } | undefined {
  const binary = binaryExponent[suffix];
  if (binary !== undefined) return { base: 2n, power: binary };
  if (/^[eE]/.test(suffix)) return { base: 10n, power: Number(suffix.slice(1)) };
  const decimal = decimalExponent[suffix];
  return decimal === undefined ? undefined : { base: 10n, power: decimal };
}

export function ceilDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  const exact = quotient * b === a;
  return exact || (a < 0n) !== (b < 0n) ? quotient : quotient + 1n;
}

/** Quantity.MilliValue(): thousandths, rounded up. */
export function milliValue(q: Fraction): bigint {
  return ceilDiv(q.numerator * 1000n, q.denominator);
}

/** Quantity.Value(): whole units, rounded up. */
export function value(q: Fraction): bigint {
  return ceilDiv(q.numerator, q.denominator);
}

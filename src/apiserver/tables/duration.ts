/**
 * Kubernetes' human durations (apimachinery pkg/util/duration HumanDuration): about two or
 * three significant figures, switching units at the same thresholds as kubectl shows them.
 */

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Go's int(x) on a float: truncates toward zero. */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

export function humanDuration(ms: number): string {
  const seconds = whole(ms, second);
  // Up to one second in the future is clock skew and reads as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = whole(ms, minute);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = whole(ms, hour);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** Milliseconds since the epoch, or undefined for a missing or unparseable timestamp. */
export function parseTime(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Time since a timestamp as an AGE cell; `<unknown>` when there is no timestamp. */
export function formatAge(timestamp: string | undefined, now: Date): string {
  const ms = parseTime(timestamp);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}

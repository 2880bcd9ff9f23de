// Flag parsing with the conventions of spf13/pflag as agnhost uses it: `--name value`,
// `--name=value`, booleans as bare `--name` or `--name=false`, `--` ends the flags.

export type FlagDefaults = Record<string, number | string | boolean>;

type Widen<T> = T extends number ? number : T extends boolean ? boolean : string;
export type FlagValues<T extends FlagDefaults> = { -readonly [K in keyof T]: Widen<T[K]> };

export interface ParsedFlags<T extends FlagDefaults> {
  flags: FlagValues<T>;
  /** Names of the flags given on the command line. */
  given: Set<string>;
  args: string[];
}

/** A command-line error; the CLI prints it like cobra (`Error: ...`) and exits 1. */
export class FlagError extends Error {}

const goIntPattern = /^[+-]?\d+$/;

/** Go's strconv.Atoi for the decimal forms agnhost's callers use. */
export function parseGoInt(text: string): number | undefined {
  if (!goIntPattern.test(text)) return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isSafeInteger(value) ? value : undefined;
}

const goBools: Record<string, boolean> = {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
};

function convert(name: string, fallback: number | string | boolean, raw: string): number | string | boolean {
  if (typeof fallback === 'string') return raw;
  const value = typeof fallback === 'number' ? parseGoInt(raw) : goBools[raw];
  if (value === undefined) {
    const parser = typeof fallback === 'number' ? 'strconv.ParseInt' : 'strconv.ParseBool';
    throw new FlagError(`invalid argument "${raw}" for "--${name}" flag: ${parser}: parsing "${raw}": invalid syntax`);
  }
  return value;
}

export function parseFlags<T extends FlagDefaults>(argv: readonly string[], defaults: T): ParsedFlags<T> {
  const values: Record<string, number | string | boolean> = { ...defaults };
  const given = new Set<string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const fallback = defaults[name];
    if (fallback === undefined) throw new FlagError(`unknown flag: --${name}`);
    let raw = eq === -1 ? undefined : body.slice(eq + 1);
    if (raw === undefined && typeof fallback === 'boolean') raw = 'true';
    if (raw === undefined) {
      raw = argv[i + 1];
      if (raw === undefined) throw new FlagError(`flag needs an argument: --${name}`);
      i++;
    }
    values[name] = convert(name, fallback, raw);
    given.add(name);
  }
  return { flags: values as FlagValues<T>, given, args };
}

export function requireNoArgs(args: readonly string[], command: string): void {
  if (args.length > 0) throw new FlagError(`unknown command "${args[0]}" for "agnhost ${command}"`);
}

const durationUnits: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** Go's time.ParseDuration, in milliseconds; undefined when the text is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([+-]?)(.*)$/.exec(text);
  let rest = match?.[2] ?? '';
  const sign = match?.[1] === '-' ? -1 : 1;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) return undefined;
    total += Number.parseFloat(part[1] ?? '') * (durationUnits[part[2] ?? ''] ?? 0);
    rest = rest.slice(part[0].length);
  }
  return sign * total;
}

/** Go's Duration.String for the values agnhost logs (e.g. `1.5s`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 1000) return `${Number(ms.toFixed(6))}ms`;
  return `${Number((ms / 1000).toFixed(9))}s`;
}

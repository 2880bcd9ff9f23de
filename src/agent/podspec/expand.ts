/**
 * Kubernetes' `$(VAR)` expansion for env values, command and args: `$(NAME)` becomes the
 * variable's value when it is known and stays as written otherwise; `$$` is a literal `$`;
 * any other `$` is kept as is. No shell involved.
 */
import type { ContainerSpec, EnvVar } from './types.js';

export type VariableLookup = (name: string) => string | undefined;

export function expandVariables(input: string, lookup: VariableLookup): string {
  let out = '';
  let cursor = 0;
  while (cursor < input.length) {
    const dollar = input.indexOf('$', cursor);
    // A '$' in the last position has nothing to introduce and is copied with the rest.
    if (dollar === -1 || dollar === input.length - 1) break;
    out += input.slice(cursor, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      out += '$';
      cursor = dollar + 2;
    } else if (next === '(') {
      const close = input.indexOf(')', dollar + 2);
      if (close === -1) {
        // Unterminated: keep "$(" and go on scanning right after it.
        out += '$(';
        cursor = dollar + 2;
      } else {
        const name = input.slice(dollar + 2, close);
        out += lookup(name) ?? `$(${name})`;
        cursor = close + 1;
      }
    } else {
      out += '$' + (next ?? '');
      cursor = dollar + 2;
    }
  }
  return out + input.slice(cursor);
}

/** Lookup over several sources, first match wins (the kubelet's MappingFuncFor). */
export function lookupIn(...sources: ReadonlyMap<string, string>[]): VariableLookup {
  return (name) => {
    for (const source of sources) {
      const value = source.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

/** command and args expanded against the container's final environment. */
export function expandCommandAndArgs(container: ContainerSpec, env: EnvVar[]): { command: string[]; args: string[] } {
  const lookup = lookupIn(new Map(env.map((v) => [v.name, v.value])));
  return {
    command: (container.command ?? []).map((part) => expandVariables(part, lookup)),
    args: (container.args ?? []).map((part) => expandVariables(part, lookup)),
  };
}

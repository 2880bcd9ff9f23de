// `dns-suffix`, `dns-server-list`, `etc-hosts`: what the pod's resolver files say.
import fs from 'node:fs';
import { parseFlags, requireNoArgs } from './flags.js';
import type { Host } from './host.js';

/** Test-only overrides of the files these subcommands read. */
export const resolvConfEnv = 'SWITCHBOARD_RESOLV_CONF';
export const hostsFileEnv = 'SWITCHBOARD_HOSTS_FILE';

/** A Go panic: the message on stderr and exit status 2. */
export class GoPanic extends Error {}

/**
 * agnhost's reading of resolv.conf: the FIRST line that starts with `keyword`, split on single
 * spaces, without the keyword. A second `nameserver` line is therefore not reported.
 */
export function firstResolvConfEntry(resolvConf: string, keyword: 'search' | 'nameserver'): string[] {
  const line = resolvConf.split('\n').find((l) => l.startsWith(keyword));
  // agnhost's message says "search list" for nameservers too.
  if (line === undefined) throw new GoPanic('Could not find DNS search list!');
  return line.split(' ').slice(1);
}

function readOrPanic(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new GoPanic(err instanceof Error ? err.message : String(err));
  }
}

function runResolvConf(keyword: 'search' | 'nameserver', command: string) {
  return async (argv: string[], host: Host): Promise<void> => {
    requireNoArgs(parseFlags(argv, {}).args, command);
    const resolvConf = readOrPanic(host.env[resolvConfEnv] ?? '/etc/resolv.conf');
    host.out(`${firstResolvConfEntry(resolvConf, keyword).join(',')}\n`);
    host.exit(0);
  };
}

export const runDnsSuffix = runResolvConf('search', 'dns-suffix');
export const runDnsServerList = runResolvConf('nameserver', 'dns-server-list');

export async function runEtcHosts(argv: string[], host: Host): Promise<void> {
  requireNoArgs(parseFlags(argv, {}).args, 'etc-hosts');
  host.out(`${readOrPanic(host.env[hostsFileEnv] ?? '/etc/hosts')}\n`);
  host.exit(0);
}

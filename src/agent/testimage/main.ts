// Entry of Switchboard's built-in test image: `main.js <subcommand> [flags]`, like the
// agnhost binary that image references such as registry.k8s.io/e2e-test-images/agnhost map to.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runConnect } from './connect.js';
import { GoPanic, runDnsServerList, runDnsSuffix, runEtcHosts } from './dns.js';
import { FlagError } from './flags.js';
import { createProcessHost, type Host } from './host.js';
import { runLiveness } from './liveness.js';
import { runNetexec } from './netexec.js';
import { runPause } from './pause.js';
import { runPorter } from './porter.js';
import { runServeHostname } from './serve-hostname.js';
import { runTestWebserver } from './test-webserver.js';
import { runTutorialBackend } from './tutorial-backend.js';

export type SubcommandMain = (argv: string[], host: Host) => Promise<void>;

export const subcommands: Record<string, { summary: string; main: SubcommandMain }> = {
  connect: { summary: 'Attempts a TCP or UDP connection and returns useful errors', main: runConnect },
  'dns-server-list': { summary: "Prints the host's DNS Server list", main: runDnsServerList },
  'dns-suffix': { summary: "Prints the host's DNS suffix list", main: runDnsSuffix },
  'etc-hosts': { summary: "Prints the host's /etc/hosts file", main: runEtcHosts },
  liveness: { summary: 'Starts a server that is alive for 10 seconds', main: runLiveness },
  netexec: { summary: 'Creates HTTP(S) and UDP servers with various endpoints', main: runNetexec },
  pause: { summary: 'Pauses the execution', main: runPause },
  porter: { summary: 'Serves requested data on ports specified in ENV variables', main: runPorter },
  'serve-hostname': { summary: 'Serves the hostname', main: runServeHostname },
  'test-webserver': { summary: 'Starts a simple HTTP fileserver', main: runTestWebserver },
  'tutorial-backend': { summary: 'Switchboard tutorial backend: /healthy and /host_name', main: runTutorialBackend },
};

export function usage(): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
  const lines = Object.entries(subcommands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `Usage:\n  agnhost [command] [flags]\n\nAvailable Commands:\n${lines.join('\n')}\n`;
}

/** Runs one subcommand; errors end the process the way the Go binary would. */
export async function runTestImage(argv: string[], host: Host): Promise<void> {
  const [name, ...rest] = argv;
  const subcommand = name === undefined ? undefined : subcommands[name];
  if (subcommand === undefined) {
    host.err(`${name === undefined ? '' : `Error: unknown command "${name}" for "agnhost"\n`}${usage()}`);
    return host.exit(2);
  }
  try {
    await subcommand.main(rest, host);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof FlagError) {
      host.err(`Error: ${message}\n`);
      return host.exit(1);
    }
    if (err instanceof GoPanic) {
      host.err(`panic: ${message}\n`);
      return host.exit(2);
    }
    // Go's log.Fatal: a log line and exit status 1 (e.g. a port already in use).
    host.log(message);
    host.exit(1);
  }
}

/** True when this module is the script node was started with (also through a symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return fs.realpathSync(script) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void runTestImage(process.argv.slice(2), createProcessHost());
}

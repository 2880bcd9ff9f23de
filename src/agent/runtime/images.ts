/**
 * The image catalogue: Switchboard has no images, so an image reference names a host program.
 * Each entry gives the image's entrypoint and default command as Docker would, and the
 * container's `command` replaces the entrypoint and `args` the default command, as Kubernetes
 * does. An image without an entry, or whose program is not on this host, leaves the container
 * Waiting with a reason and a message saying what to install or map.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { NGINX_DEFAULT_COMMAND, NGINX_ENTRYPOINT } from './nginx-entrypoint.js';
import { MARIADB_DEFAULT_COMMAND, MYSQL_DEFAULT_COMMAND, MYSQL_ENTRYPOINT } from './mysql-entrypoint.js';
import { POSTGRES_ENTRYPOINT, postgresDefaultCommand } from './postgres-entrypoint.js';

export interface ImageEntry {
  /** Glob on the reference without registry defaults, e.g. `busybox*`, `python:*`. */
  match: string;
  entrypoint: string[];
  cmd: string[];
  /** A Debian package that provides the program, for the message when it is missing. */
  package?: string;
  /**
   * The entrypoint is a script that ends by exec'ing its arguments (as docker-entrypoint.sh
   * does): the program that must be on this host is the first of them, not the script's shell.
   */
  entrypointExecs?: boolean;
}

const testImage = fileURLToPath(new URL('../testimage/main.js', import.meta.url));
const node = process.execPath;

/** The built-in table, first match wins. */
export const builtinImages: ImageEntry[] = [
  // agnhost's image: ENTRYPOINT /agnhost, CMD pause.
  { match: 'registry.k8s.io/e2e-test-images/agnhost:*', entrypoint: [node, testImage], cmd: ['pause'] },
  { match: 'switchboard/testserver*', entrypoint: [node, testImage, 'tutorial-backend'], cmd: [] },
  { match: 'busybox*', entrypoint: [], cmd: ['sh'] },
  { match: 'alpine*', entrypoint: [], cmd: ['/bin/sh'] },
  { match: 'debian*', entrypoint: [], cmd: ['bash'] },
  { match: 'ubuntu*', entrypoint: [], cmd: ['bash'] },
  { match: 'curlimages/curl*', entrypoint: [], cmd: ['curl'], package: 'curl' },
  { match: 'tutum/dnsutils*', entrypoint: [], cmd: ['sh'], package: 'bind9-dnsutils' },
  // The official image: ENTRYPOINT docker-entrypoint.sh, CMD nginx -g 'daemon off;'. Ours
  // runs the host's nginx with a configuration of the container's own (nginx-entrypoint.ts);
  // args that are not nginx (`kubectl run --image nginx:alpine -- /bin/sh`) run as given.
  { match: 'nginx*', entrypoint: NGINX_ENTRYPOINT, cmd: NGINX_DEFAULT_COMMAND, package: 'nginx', entrypointExecs: true },
  // The official images: ENTRYPOINT docker-entrypoint.sh, CMD postgres / mysqld / mariadbd.
  // Ours initialise a data directory of the container's own and run the host's PostgreSQL or
  // MariaDB server on it (postgres-entrypoint.ts, mysql-entrypoint.ts). Debian keeps postgres
  // off PATH, in /usr/lib/postgresql/<major>/bin: the command is looked up at each start.
  { match: 'postgres:*', entrypoint: POSTGRES_ENTRYPOINT, get cmd() { return postgresDefaultCommand(); }, package: 'postgresql', entrypointExecs: true },
  { match: 'postgres', entrypoint: POSTGRES_ENTRYPOINT, get cmd() { return postgresDefaultCommand(); }, package: 'postgresql', entrypointExecs: true },
  { match: 'mysql:*', entrypoint: MYSQL_ENTRYPOINT, cmd: MYSQL_DEFAULT_COMMAND, package: 'mariadb-server', entrypointExecs: true },
  { match: 'mysql', entrypoint: MYSQL_ENTRYPOINT, cmd: MYSQL_DEFAULT_COMMAND, package: 'mariadb-server', entrypointExecs: true },
  { match: 'mariadb:*', entrypoint: MYSQL_ENTRYPOINT, cmd: MARIADB_DEFAULT_COMMAND, package: 'mariadb-server', entrypointExecs: true },
  { match: 'mariadb', entrypoint: MYSQL_ENTRYPOINT, cmd: MARIADB_DEFAULT_COMMAND, package: 'mariadb-server', entrypointExecs: true },
  { match: 'python:*', entrypoint: [], cmd: ['python3'], package: 'python3' },
  { match: 'python', entrypoint: [], cmd: ['python3'], package: 'python3' },
  { match: 'node:*', entrypoint: [], cmd: ['node'] },
  { match: 'node', entrypoint: [], cmd: ['node'] },
];

/** `docker.io/library/busybox:1.36` and `busybox:1.36` are the same image. */
export function normalizeImage(image: string): string {
  return image.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Entries from a user file (YAML list of {match, entrypoint, cmd}), ahead of the built-in ones. */
export function loadCatalogue(userFile?: string): ImageEntry[] {
  if (!userFile) return builtinImages;
  let text: string;
  try {
    text = readFileSync(userFile, 'utf8');
  } catch {
    return builtinImages;
  }
  const parsed: unknown = parseYaml(text);
  const list = Array.isArray(parsed) ? parsed : [];
  const user = list.flatMap((e): ImageEntry[] => {
    if (typeof e !== 'object' || e === null) return [];
    const r = e as Record<string, unknown>;
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return typeof r.match === 'string' ? [{ match: r.match, entrypoint: strings(r.entrypoint), cmd: strings(r.cmd) }] : [];
  });
  return [...user, ...builtinImages];
}

/** The path of a program, as `exec` would find it on PATH; undefined when it is not there. */
export function findProgram(program: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = program.includes('/') ? [program] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

/** `program` is the host program the image stands for (what must be on this host). */
export type Resolved = { argv: string[]; program: string } | { waiting: { reason: string; message: string } };

/** What a container runs: its argv, or why it cannot start. */
export function resolveContainer(container: { image?: string; command?: string[]; args?: string[] }, catalogue: ImageEntry[] = builtinImages): Resolved {
  const image = normalizeImage(container.image ?? '');
  const entry = catalogue.find((e) => globToRegExp(e.match).test(image));
  const command = container.command ?? [];
  const args = container.args ?? [];
  if (!entry && command.length === 0) {
    return {
      waiting: {
        reason: 'ErrImagePull',
        message: `image "${container.image ?? ''}" is not in Switchboard's image catalogue: give the container a command, or map the image to a host program in the catalogue file (see src/agent/README.md)`,
      },
    };
  }
  // The test image's programs are reached by their agnhost names too (`/agnhost netexec`).
  const fixedCommand = entry && command[0] !== undefined && /(^|\/)agnhost$/.test(command[0]) ? [...entry.entrypoint, ...command.slice(1)] : command;
  const argv = fixedCommand.length > 0 ? [...fixedCommand, ...args] : [...(entry?.entrypoint ?? []), ...(args.length > 0 ? args : (entry?.cmd ?? []))];
  const viaEntrypoint = entry?.entrypointExecs === true && fixedCommand.length === 0;
  // Behind an entrypoint script, args that begin with an option are the image's program's
  // (`args: ["-c", "max_connections=200"]`): the script puts that program in front of them.
  const first = viaEntrypoint ? argv[entry.entrypoint.length] : argv[0];
  const program = viaEntrypoint && first?.startsWith('-') ? entry.cmd[0] : first;
  if (program === undefined) return { waiting: { reason: 'CreateContainerError', message: `image "${container.image ?? ''}" has no default command; give the container a command` } };
  if (!findProgram(program)) {
    // Behind an entrypoint script, the package hint is for the image's own program only.
    const pkg = entry?.package && (!viaEntrypoint || program === entry.cmd[0]) ? ` (Debian: apt-get install ${entry.package})` : '';
    return { waiting: { reason: 'CreateContainerError', message: `exec: "${program}": executable file not found in $PATH on this host${pkg}` } };
  }
  return { argv, program };
}

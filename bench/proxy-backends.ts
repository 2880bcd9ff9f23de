/**
 * The proxy section's tools and servers: wrk (installed as root when missing), and the HTTP
 * server the pods run. The host's nginx (image `nginx:latest` with our own small
 * configuration: one worker, no access log, each answer the pod's hostname) when it is there,
 * since it is fast enough that the proxy's cost shows; otherwise the built-in test image's
 * `netexec` (a Node.js server, slower, so the ratios are closer to 1 than the proxy deserves).
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findResource, type ResourceInfo } from '../src/api/resources.js';
import { isRecord, type KubeObject } from '../src/api/types.js';
import { findProgram } from '../src/agent/runtime/images.js';
import type { ApiClient } from '../src/client/rest.js';
import { makeTempDir, progress } from './lib.js';

export const podInfo = findResource('', 'pods') as ResourceInfo;
export const serviceInfo = findResource('', 'services') as ResourceInfo;
export const sliceInfo = findResource('discovery.k8s.io', 'endpointslices') as ResourceInfo;
export const SERVER_PORT = 8080;
export const SERVICE_PORT = 80;
/**
 * With a new connection per request the server holds each closed connection in TIME_WAIT. A
 * client reusing a port for the same pod address and port through another destination (pod IP,
 * then a cluster IP) sends TCP timestamps from another per-destination offset, and the
 * server's PAWS check drops its SYN (1 s retransmit). So each way in gets its own server port
 * where the server can listen on several: direct on 8080, `web-one` on 8081, `web-two` on 8082.
 */
export interface ServerPorts {
  direct: number;
  one: number;
  two: number;
}
export const PATH = '/hostname';

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** True when Debian's policy says packages must not start services (as in containers). */
async function servicesDenied(): Promise<boolean> {
  if (!existsSync('/usr/sbin/policy-rc.d')) return false;
  return (await run('/usr/sbin/policy-rc.d', ['nginx', 'start'], 5000)).code === 101;
}

async function aptInstall(packages: string[]): Promise<boolean> {
  const install = (): Promise<{ code: number }> => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], 300_000);
  if ((await install()).code === 0) return true;
  await run('apt-get', ['update', '-qq'], 300_000);
  return (await install()).code === 0;
}

/**
 * As root, installs wrk when missing, and nginx-light only where installing it cannot start
 * Debian's own nginx service on the host (policy-rc.d denies service starts). Says what it did.
 */
export async function ensureTools(): Promise<string[]> {
  const notes: string[] = [];
  const wanted: string[] = [];
  if (!findProgram('wrk')) wanted.push('wrk');
  if (!findProgram('nginx')) {
    if (await servicesDenied()) wanted.push('nginx-light');
    else notes.push('nginx is not installed and installing it here would start its service: apt-get install nginx-light for the faster server');
  }
  if (wanted.length > 0 && process.getuid?.() === 0) {
    progress(`proxy: installing ${wanted.join(' ')}`);
    if (!(await aptInstall(wanted))) notes.push(`apt-get install ${wanted.join(' ')} failed`);
  }
  return notes;
}

export interface Server {
  kind: 'nginx' | 'agnhost';
  ports: ServerPorts;
  /** For the notes: what answers. */
  description: string;
  container(podName: string): Record<string, unknown>;
  cleanup(): void;
}

const readinessProbe = { tcpSocket: { port: SERVER_PORT }, periodSeconds: 1 };

function nginxConfig(): string {
  return [
    // The workers' user: Debian has no group `nobody`, nginx's default.
    'user nobody nogroup;',
    'worker_processes 1;',
    'error_log stderr warn;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  keepalive_requests 1000000;',
    `  server { listen ${SERVER_PORT}; listen ${SERVER_PORT + 1}; listen ${SERVER_PORT + 2}; location / { default_type text/plain; return 200 "$hostname\\n"; } }`,
    '}',
    '',
  ].join('\n');
}

/** nginx when the host has it, else agnhost netexec. */
export async function chooseServer(): Promise<Server> {
  const version = findProgram('nginx') ? await run('nginx', ['-v'], 5000) : undefined;
  if (version?.code === 0) {
    const dir = makeTempDir('proxy-nginx');
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConfig());
    return {
      kind: 'nginx',
      ports: { direct: SERVER_PORT, one: SERVER_PORT + 1, two: SERVER_PORT + 2 },
      description: `the host's ${version.stderr.trim().replace(/^nginx version: /, '')} (image nginx:latest, one worker, access log off, answers its hostname)`,
      container: (podName) => ({
        name: 'web',
        image: 'nginx:latest',
        command: ['nginx', '-e', 'stderr', '-c', conf, '-g', `daemon off; pid ${join(dir, `${podName}.pid`)};`],
        ports: [{ containerPort: SERVER_PORT }],
        readinessProbe,
      }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  return {
    kind: 'agnhost',
    ports: { direct: SERVER_PORT, one: SERVER_PORT, two: SERVER_PORT },
    description: 'agnhost netexec (the built-in test image, Node.js; nginx was not available; one port, so new-connection runs may lose SYNs to TIME_WAIT)',
    container: () => ({ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', `--http-port=${SERVER_PORT}`, '--udp-port=-1'], ports: [{ containerPort: SERVER_PORT }], readinessProbe }),
    cleanup: () => undefined,
  };
}

export function podObject(server: Server, name: string, namespace: string, nodeName: string, labels: Record<string, string>): KubeObject {
  return { metadata: { name, namespace, labels }, spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [server.container(name)] } };
}

/** Creates a ClusterIP Service on port 80 -> `targetPort`; returns its cluster IP. */
export async function createService(client: ApiClient, namespace: string, name: string, selector: Record<string, string>, targetPort = SERVER_PORT): Promise<string> {
  const svc = await client.create(serviceInfo, namespace, {
    metadata: { name, namespace },
    spec: { selector, ports: [{ name: 'http', protocol: 'TCP', port: SERVICE_PORT, targetPort }] },
  });
  const ip = isRecord(svc.spec) && typeof svc.spec.clusterIP === 'string' ? svc.spec.clusterIP : '';
  if (!ip) throw new Error(`Service ${namespace}/${name} has no cluster IP`);
  return ip;
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

export function podIP(pod: KubeObject): string {
  return isRecord(pod.status) && typeof pod.status.podIP === 'string' ? pod.status.podIP : '';
}

/** Addresses the slice lists as ready. */
export function readySliceAddresses(slice: KubeObject): string[] {
  const out: string[] = [];
  for (const e of Array.isArray(slice.endpoints) ? slice.endpoints.filter(isRecord) : []) {
    const ready = !isRecord(e.conditions) || e.conditions.ready !== false;
    if (ready && Array.isArray(e.addresses)) for (const a of e.addresses) if (typeof a === 'string') out.push(a);
  }
  return out;
}

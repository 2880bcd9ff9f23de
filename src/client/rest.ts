/**
 * The REST client every component uses to talk to the API server: JSON over HTTPS with the
 * cluster's client certificate, keep-alive, and API errors surfaced as StatusError (so callers
 * branch on `reason`, as client-go users do with apierrors).
 */
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { groupVersion, type ResourceInfo } from '../api/resources.js';
import { StatusError, type Status } from '../api/status.js';
import type { KubeList, KubeObject } from '../api/types.js';
import type { Credentials } from './kubeconfig.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WriteOptions {
  subresource?: string;
  fieldManager?: string;
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The path of a resource collection or object: `/apis/apps/v1/namespaces/ns/deployments/name/scale`. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${base}${ns}/${info.plural}${item}${sub}`;
}

export class ApiClient {
  private readonly agent: https.Agent;
  private readonly url: URL;

  constructor(
    readonly creds: Credentials,
    private readonly userAgent = 'switchboard',
  ) {
    this.url = new URL(creds.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: this.url.hostname,
          port: this.url.port,
          path,
          agent: this.agent,
          signal,
          headers: {
            Accept: 'application/json',
            'User-Agent': this.userAgent,
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.send(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return JSON.parse(text) as T;
    throw toStatusError(status, text);
  }

  get<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    return this.call('GET', resourcePath(info, namespace, name, subresource));
  }

  list<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace?: string, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.call('GET', resourcePath(info, namespace) + query({ ...options }));
  }

  /**
   * POSTs an object to a collection, or with `subresource` to `<collection>/<obj name>/<subresource>`
   * (a Binding to `pods/x/binding`, an Eviction to `pods/x/eviction`; the body keeps its own kind).
   */
  create<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace: string | undefined, obj: KubeObject, options: WriteOptions = {}): Promise<T> {
    if (options.subresource) {
      const path = resourcePath(info, namespace, obj.metadata.name, options.subresource);
      return this.call('POST', path + writeQuery(options), obj);
    }
    const body = { apiVersion: groupVersion(info), kind: info.kind, ...obj };
    return this.call('POST', resourcePath(info, namespace) + writeQuery(options), body);
  }

  update<T extends KubeObject = KubeObject>(info: ResourceInfo, obj: KubeObject, options: WriteOptions = {}): Promise<T> {
    const path = resourcePath(info, obj.metadata.namespace, obj.metadata.name, options.subresource);
    return this.call('PUT', path + writeQuery(options), { apiVersion: groupVersion(info), kind: info.kind, ...obj });
  }

  patch<T extends KubeObject = KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions & { force?: boolean } = {},
  ): Promise<T> {
    const path = resourcePath(info, namespace, name, options.subresource) + writeQuery(options, options.force);
    return this.call('PATCH', path, patch, patchContentTypes[type]);
  }

  delete(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    return this.call('DELETE', resourcePath(info, namespace, name), { kind: 'DeleteOptions', apiVersion: 'v1', ...options });
  }

  /**
   * Streams watch events until the server ends the stream, the signal aborts, or no byte
   * arrives for `idleTimeoutMs` (a stuck connection). Resolves when the stream ends.
   */
  async watch<T extends KubeObject = KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    idleTimeoutMs = 90_000,
  ): Promise<void> {
    const { signal, ...params } = options;
    const path = resourcePath(info, namespace) + query({ watch: true, ...params });
    const res = await this.send('GET', path, undefined, undefined, signal);
    if ((res.statusCode ?? 0) >= 300) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw toStatusError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
    }
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      let idle = setTimeout(() => res.destroy(), idleTimeoutMs);
      res.on('data', (chunk: Buffer) => {
        clearTimeout(idle);
        idle = setTimeout(() => res.destroy(), idleTimeoutMs);
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.trim()) continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent<T>);
          } catch (err) {
            res.destroy();
            reject(err);
            return;
          }
        }
      });
      const finish = (): void => {
        clearTimeout(idle);
        resolve();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
  }
}

function writeQuery(options: WriteOptions, force?: boolean): string {
  return query({ fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined, force: force ? true : undefined });
}

function toStatusError(code: number, text: string): StatusError {
  try {
    const status = JSON.parse(text) as Status;
    if (status.kind === 'Status') return new StatusError(status.code || code, status.reason || 'InternalError', status.message ?? text, status.details);
  } catch {
    // not a Status body: fall through
  }
  return new StatusError(code, code === 404 ? 'NotFound' : 'InternalError', text || `HTTP ${code}`);
}

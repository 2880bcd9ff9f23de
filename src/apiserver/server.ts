/**
 * The API server: HTTPS on a loopback address, Kubernetes REST over the revisioned store.
 * `startApiServer` builds the watch cache, repairs allocations, bootstraps the cluster's
 * own objects, and serves until stopped. No request can make it exit: every handler's
 * error ends as a Status response.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, type StatusError } from '../api/status.js';
import type { Store } from '../storage/types.js';
import type { Logger } from '../lib/log.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { WatchCache } from './cache.js';
import { Registry } from './registry.js';
import { isPodStreamPath, proxyPodStream } from './pod-exec.js';
import type { Duplex } from 'node:stream';
import { authenticate, isAnonymousPath, type User } from './auth.js';
import { sendError, sendJson, sendText, toStatusError } from './http.js';
import { parseApiPath } from './request-info.js';
import { handleResource, type ResourceHandlerDeps } from './resource-handler.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  legacyApiVersions,
  wantsAggregated,
} from './discovery.js';
import { Allocator, ipRange, nthAddress, parseCidr, portRange } from './services/allocator.js';
import { serviceStrategy } from './services/strategy.js';
import { bootstrapCluster, repairAllocations } from './bootstrap.js';
import { kubeTypeHooks, openapi, patcher, selectorParser, tableEncoder } from './kube.js';
import { podStrategy } from './pods.js';
import { jobStrategy, namespaceStrategy, secretStrategy } from './simple-strategies.js';
import { Metrics } from './metrics.js';
import type { ResourceStrategy } from './hooks.js';

export interface ApiServerConfig {
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  serviceCidr: string;
  nodePortRange: { first: number; last: number };
  /** The API server's address as pods see it (the kubernetes Endpoints). */
  advertiseAddress: string;
  tls: { cert: string; key: string; ca: string };
  /** Bearer tokens accepted, with their users. */
  tokens: Map<string, User>;
  version: { major: string; minor: string; gitVersion: string };
  /** Events the watch cache keeps (and replays from the store at start) for watches to resume from. */
  watchCacheSize?: number;
  /** More Prometheus text for `/metrics`, from components in the same process (cluster DNS). */
  extraMetrics?: () => string;
}

export interface ApiServerDeps {
  store: Store;
  log: Logger;
  clock?: Clock;
}

export interface ApiServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startApiServer(config: ApiServerConfig, deps: ApiServerDeps): Promise<ApiServer> {
  const log = deps.log.child({ component: 'apiserver' });
  const clock = deps.clock ?? systemClock;
  const size = config.watchCacheSize;
  const cache = await WatchCache.start(deps.store, log, size ? { historyLimit: size, replayRevisions: size } : {});
  const cidr = parseCidr(config.serviceCidr);
  const clusterIPs = new Allocator(deps.store, '/allocations/clusterips/', ipRange(cidr));
  const nodePorts = new Allocator(deps.store, '/allocations/nodeports/', portRange(config.nodePortRange.first, config.nodePortRange.last));
  await repairAllocations({ cache, clusterIPs, nodePorts, log });
  const strategies = new Map<string, ResourceStrategy>([
    [
      'services',
      serviceStrategy({
        clusterIPs,
        nodePorts,
        serviceCidr: cidr.text,
        nodePortRange: `${config.nodePortRange.first}-${config.nodePortRange.last}`,
      }),
    ],
    ['pods', podStrategy()],
    ['jobs', jobStrategy()],
    ['secrets', secretStrategy()],
    ['namespaces', namespaceStrategy()],
  ]);
  const registry = new Registry({ store: deps.store, cache, hooks: kubeTypeHooks, strategies, clock });
  const metrics = new Metrics();
  const handlerDeps: ResourceHandlerDeps = {
    registry,
    cache,
    store: deps.store,
    selectors: selectorParser,
    patcher,
    table: tableEncoder(clock),
    clock,
    log,
  };

  const server = https.createServer(
    { cert: config.tls.cert, key: config.tls.key, ca: config.tls.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const started = process.hrtime.bigint();
      serve(req, res)
        .catch(async (err: unknown) => {
          const status = toStatusError(err);
          if (status.code >= 500) log.error({ err, path: req.url }, 'request failed');
          await drainRequest(req, res);
          sendError(res, status);
        })
        .finally(() => metrics.observe(req.method ?? 'GET', res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    },
  );
  server.on('clientError', (_err, socket) => socket.destroy());
  // Streaming subresources (exec) arrive as WebSocket upgrades, not as requests.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (!authenticate(req, config.tokens)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!isPodStreamPath(path)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    void proxyPodStream(req, socket, head, registry);
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // watches are long; inactivity is what ends them

  let serverAddress = '';

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!isAnonymousPath(path) && !authenticate(req, config.tokens)) throw errors.unauthorized();
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || /^\/(healthz|livez|readyz)\//.test(path)) {
      return sendText(res, 200, 'ok');
    }
    if (path === '/version') return sendJson(res, 200, versionInfo(config));
    if (path === '/metrics') return sendText(res, 200, metrics.render(cache) + (config.extraMetrics?.() ?? ''));
    if (path === '/api') {
      if (wantsAggregated(req.headers.accept)) return sendJson(res, 200, aggregatedDiscovery(true), aggregatedContentType);
      return sendJson(res, 200, legacyApiVersions(serverAddress));
    }
    if (path === '/apis') {
      if (wantsAggregated(req.headers.accept)) return sendJson(res, 200, aggregatedDiscovery(false), aggregatedContentType);
      return sendJson(res, 200, apiGroupList());
    }
    if (path === '/openapi/v2') return sendJson(res, 200, openapi.v2());
    if (path === '/openapi/v3') return sendJson(res, 200, openapi.v3Index());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapi.v3Document(path.slice('/openapi/v3/'.length));
      if (!doc) throw notFoundPath(path);
      return sendJson(res, 200, doc);
    }
    const target = parseApiPath(path);
    switch (target.kind) {
      case 'resource':
        return handleResource(req, res, target.request, url.searchParams, handlerDeps);
      case 'group-version': {
        const doc = apiResourceList(target.group, target.version);
        if (!doc) throw notFoundPath(path);
        return sendJson(res, 200, doc);
      }
      case 'group': {
        const doc = apiGroupDocument(target.group);
        if (!doc) throw notFoundPath(path);
        return sendJson(res, 200, doc);
      }
      case 'unknown-resource':
        throw errors.notFound({ group: target.group, resource: target.resource, name: '' });
      default:
        throw notFoundPath(path);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${config.bindAddress}:${port}`;
  await bootstrapCluster(registry, {
    kubernetesServiceIP: nthAddress(cidr, 1),
    advertiseAddress: config.advertiseAddress,
    securePort: port,
  });
  const compactor = startCompactor(deps.store, log);
  log.info({ address: serverAddress }, 'API server serving');
  return {
    url: `https://${serverAddress}`,
    port,
    async stop() {
      clearInterval(compactor);
      cache.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Keeps a bounded history: every minute, forgets revisions more than `keep` behind the newest. */
function startCompactor(store: Store, log: Logger, keep = 10_000): NodeJS.Timeout {
  const timer = setInterval(() => {
    (async () => {
      const target = (await store.currentRevision()) - keep;
      if (target > (await store.compactedRevision())) await store.compact(target);
    })().catch((err: unknown) => log.warn({ err: String(err) }, 'compaction failed'));
  }, 60_000);
  timer.unref();
  return timer;
}

/**
 * Reads what is left of a request body before an error answer, so the connection can be
 * reused; a body too large to read is answered with the connection closed instead.
 */
async function drainRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.complete || req.readableEnded) return;
  // The rest of the body is read and dropped before the error goes out, so a client still
  // sending (a body over the limit) reads the answer instead of a reset. Past 16 MiB, or after
  // 5 s, the connection is closed instead.
  if (Number(req.headers['content-length'] ?? 0) > 16 * 1024 * 1024) {
    res.shouldKeepAlive = false;
    req.resume();
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    req.on('end', done).on('error', done).on('close', done);
    req.resume();
  });
  if (!req.complete) res.shouldKeepAlive = false;
}

function notFoundPath(path: string): StatusError {
  const err = errors.notFound({ group: '', resource: '', name: '' });
  return Object.assign(err, { message: `the server could not find the requested resource (${path})` });
}

function versionInfo(config: ApiServerConfig): unknown {
  return {
    major: config.version.major,
    minor: config.version.minor,
    gitVersion: config.version.gitVersion,
    gitCommit: 'switchboard',
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

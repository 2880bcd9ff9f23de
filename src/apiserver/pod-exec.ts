/**
 * `pods/{name}/exec`, `attach` and `portforward`: the upgrade (WebSocket, or SPDY/3.1 for
 * port-forward) is proxied byte for byte to the node agent's endpoint (named on its Node), as
 * kube-apiserver proxies the kubelet's streaming endpoints; the agent speaks the protocols. Errors before the upgrade
 * are answered as Kubernetes Status objects.
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { findResource, type ResourceInfo } from '../api/resources.js';
import { errors, type StatusError } from '../api/status.js';
import { toStatusError } from './http.js';
import { isRecord } from '../api/types.js';
import { kubeletEndpointAnnotation, kubeletTokenAnnotation } from '../api/node-annotations.js';
import type { Registry } from './registry.js';

const podInfo = findResource('', 'pods') as ResourceInfo;
const nodeInfo = findResource('', 'nodes') as ResourceInfo;
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
/** Headers the WebSocket handshake needs, passed on to the agent. */
const HANDSHAKE = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

function refuse(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.code} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function isPodStreamPath(path: string): boolean {
  return PATH.test(path);
}

export async function proxyPodStream(req: IncomingMessage, socket: Duplex, head: Buffer, registry: Registry): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const [, ns = '', name = '', verb = ''] = PATH.exec(url.pathname) ?? [];
    const pod = await registry.get(podInfo, decodeURIComponent(ns), decodeURIComponent(name));
    const containers = isRecord(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers.filter(isRecord) : [];
    const container = verb === 'portforward' ? '' : url.searchParams.get('container') || (containers.length === 1 ? String(containers[0]?.name) : '');
    if (!container && verb !== 'portforward') throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => String(c.name)).join(' ')}]`);
    const nodeName = isRecord(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '';
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    const node = await registry.get(nodeInfo, undefined, nodeName);
    const endpoint = node.metadata.annotations?.[kubeletEndpointAnnotation];
    if (!endpoint) throw errors.badRequest(`pod ${name} runs on node ${nodeName}, a simulated node: it runs no processes to ${verb} into`);
    const query = new URLSearchParams(url.searchParams);
    if (container) query.set('container', container);
    const [host = '127.0.0.1', port = '0'] = endpoint.split(':');
    const upstream = net.connect({ host, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      upstream.once('connect', resolve);
      upstream.once('error', (err) => reject(errors.badRequest(`the node agent of ${nodeName} did not answer: ${err.message}`)));
    });
    const target = verb === 'portforward' ? `/portForward/${ns}/${name}` : `/${verb}/${ns}/${name}/${encodeURIComponent(container)}`;
    const lines = [`${req.method ?? 'GET'} ${target}?${query} HTTP/1.1`, `Host: ${endpoint}`, `Authorization: Bearer ${node.metadata.annotations?.[kubeletTokenAnnotation] ?? ''}`];
    for (const h of HANDSHAKE) {
      const v = req.headers[h];
      if (v !== undefined) lines.push(`${h}: ${Array.isArray(v) ? v.join(', ') : v}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
    const end = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
    upstream.on('close', end);
    socket.on('close', end);
  } catch (err) {
    refuse(socket, toStatusError(err));
  }
}

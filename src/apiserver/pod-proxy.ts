/**
 * `pods/{name}[:port]/proxy/{path}`: HTTP to a pod through its node agent, which forwards it
 * from the node to the pod's IP (kube-apiserver does the same through the kubelet or the pod
 * network). The port defaults to the pod's first declared container port, else 80.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { findResource, type ResourceInfo } from '../api/resources.js';
import { errors } from '../api/status.js';
import { isRecord, type KubeObject } from '../api/types.js';
import { kubeletEndpointAnnotation, kubeletTokenAnnotation } from '../api/node-annotations.js';
import type { Registry } from './registry.js';

const podInfo = findResource('', 'pods') as ResourceInfo;
const nodeInfo = findResource('', 'nodes') as ResourceInfo;

/** `name`, `name:port` or `scheme:name:port`, as Kubernetes writes proxy targets. */
export function parseProxyName(text: string): { name: string; port?: string; scheme?: string } {
  const parts = text.split(':');
  if (parts.length === 3) return { scheme: parts[0], name: parts[1] ?? '', ...(parts[2] ? { port: parts[2] } : {}) };
  if (parts.length === 2) return { name: parts[0] ?? '', ...(parts[1] ? { port: parts[1] } : {}) };
  return { name: text };
}

function portOf(pod: KubeObject, wanted: string | undefined): number | undefined {
  const containers = isRecord(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers.filter(isRecord) : [];
  const ports = containers.flatMap((c) => (Array.isArray(c.ports) ? c.ports.filter(isRecord) : []));
  if (wanted === undefined) {
    const first = ports[0]?.containerPort;
    return typeof first === 'number' ? first : 80;
  }
  if (/^\d+$/.test(wanted)) return Number(wanted);
  const named = ports.find((p) => p.name === wanted)?.containerPort;
  return typeof named === 'number' ? named : undefined;
}

export async function handlePodProxy(
  req: IncomingMessage,
  res: ServerResponse,
  args: { namespace: string; name: string; rest: string[]; search: URLSearchParams; registry: Registry },
): Promise<void> {
  const target = parseProxyName(args.name);
  if (target.scheme && target.scheme !== 'http') throw errors.badRequest(`the ${target.scheme} scheme is not served by the pods proxy yet`);
  const pod = await args.registry.get(podInfo, args.namespace, target.name);
  const port = portOf(pod, target.port);
  if (port === undefined) throw errors.badRequest(`no port named "${target.port}" in pod ${target.name}`);
  const nodeName = isRecord(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '';
  if (!nodeName) throw errors.badRequest(`pod ${target.name} does not have a host assigned`);
  const node = await args.registry.get(nodeInfo, undefined, nodeName);
  const endpoint = node.metadata.annotations?.[kubeletEndpointAnnotation];
  if (!endpoint) throw errors.serviceUnavailable(`pod ${target.name} runs on node ${nodeName}, a simulated node: nothing listens in it`);
  const [host = '127.0.0.1', agentPort = '0'] = endpoint.split(':');
  const rest = args.rest.map(encodeURIComponent).join('/');
  const query = args.search.toString();
  const path = `/podProxy/${encodeURIComponent(args.namespace)}/${encodeURIComponent(target.name)}/${port}/${rest}${query ? `?${query}` : ''}`;
  const headers: http.OutgoingHttpHeaders = { ...req.headers, authorization: `Bearer ${node.metadata.annotations?.[kubeletTokenAnnotation] ?? ''}` };
  delete headers.host;
  await new Promise<void>((resolve, reject) => {
    const upstream = http.request({ host, port: Number(agentPort), method: req.method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', reject);
    });
    upstream.on('error', (err) => reject(errors.serviceUnavailable(`error trying to reach service: ${err.message}`)));
    req.pipe(upstream);
  });
}

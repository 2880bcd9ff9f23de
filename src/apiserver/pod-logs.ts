/**
 * `GET pods/{name}/log`: finds the pod's node and the container, then streams the node
 * agent's `/containerLogs` answer through, as kube-apiserver proxies the kubelet. Errors use
 * Kubernetes' messages (a container name is required for multi-container pods; a pod not yet
 * on a node has no logs; simulated nodes run no processes).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { findResource, type ResourceInfo } from '../api/resources.js';
import { errors } from '../api/status.js';
import { isRecord, type KubeObject } from '../api/types.js';
import { kubeletEndpointAnnotation, kubeletTokenAnnotation } from '../api/node-annotations.js';
import type { Registry } from './registry.js';

const nodeInfo = findResource('', 'nodes') as ResourceInfo;
const passed = ['follow', 'tailLines', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

function containerNames(pod: KubeObject): string[] {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const list = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
  return list.filter(isRecord).flatMap((c) => (typeof c.name === 'string' ? [c.name] : []));
}

export async function handlePodLog(
  req: IncomingMessage,
  res: ServerResponse,
  args: { info: ResourceInfo; namespace: string; name: string; search: URLSearchParams; registry: Registry },
): Promise<void> {
  const pod = await args.registry.get(args.info, args.namespace, args.name);
  const main = isRecord(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers.filter(isRecord) : [];
  let container = args.search.get('container') ?? '';
  if (!container) {
    if (main.length !== 1) {
      throw errors.badRequest(`a container name must be specified for pod ${args.name}, choose one of: [${main.map((c) => String(c.name)).join(' ')}]`);
    }
    container = String(main[0]?.name ?? '');
  }
  if (!containerNames(pod).includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${args.name}`);
  const nodeName = isRecord(pod.spec) && typeof pod.spec.nodeName === 'string' ? pod.spec.nodeName : '';
  if (!nodeName) throw errors.badRequest(`pod ${args.name} does not have a host assigned`);
  const node = await args.registry.get(nodeInfo, undefined, nodeName);
  const endpoint = node.metadata.annotations?.[kubeletEndpointAnnotation];
  const token = node.metadata.annotations?.[kubeletTokenAnnotation] ?? '';
  if (!endpoint) throw errors.badRequest(`pod ${args.name} runs on node ${nodeName}, a simulated node: it runs no processes, so there are no logs`);
  const query = new URLSearchParams();
  for (const key of passed) {
    const v = args.search.get(key);
    if (v !== null) query.set(key, v);
  }
  const path = `/containerLogs/${encodeURIComponent(args.namespace)}/${encodeURIComponent(args.name)}/${encodeURIComponent(container)}?${query}`;
  const [host = '127.0.0.1', port = '0'] = endpoint.split(':');
  await new Promise<void>((resolve, reject) => {
    const upstream = http.get({ host, port: Number(port), path, headers: { Authorization: `Bearer ${token}` } }, (answer) => {
      const code = answer.statusCode ?? 502;
      if (code !== 200) {
        let text = '';
        answer.setEncoding('utf8').on('data', (d: string) => (text += d));
        answer.on('end', () => reject(code === 404 ? errors.notFound({ group: '', resource: 'pods', name: args.name }) : errors.badRequest(text.trim())));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      answer.pipe(res);
      // Once streaming, the stream ending either way (the client gone, the agent gone) is the end.
      answer.on('end', () => resolve());
      answer.on('error', () => resolve());
      answer.on('aborted', () => resolve());
    });
    upstream.on('error', (err) => (res.headersSent ? resolve() : reject(errors.badRequest(`the node agent of ${nodeName} did not answer: ${err.message}`))));
    // The client going away ends the stream upstream too.
    req.on('close', () => upstream.destroy());
  });
}

/**
 * Starts the components that run beside the API server and talk to it only through the
 * Kubernetes API: the controller manager and, when asked for, simulated nodes, real nodes with
 * their service proxy, and the cluster DNS.
 */
import { ApiClient } from '../client/rest.js';
import { InformerFactory } from '../client/factory.js';
import type { Credentials } from '../client/kubeconfig.js';
import { startControllerManager } from '../controllers/index.js';
import type { Controller } from '../controllers/types.js';
import { startSimulatedNodes } from '../agent/simulated/simulated-node.js';
import { systemClock } from '../lib/clock.js';
import { startClusterDns, type ClusterDnsConfig } from '../dns/cluster-dns.js';
import { startNodeAgent, type NodeAgentConfig } from '../agent/node/node-agent.js';
import type { Logger } from '../lib/log.js';
import { startServiceProxy, type ServiceProxy } from '../proxy/proxy.js';
import { startPublisher } from '../proxy/publisher.js';
import type net from 'node:net';

export interface ComponentOptions {
  controllers: boolean;
  simulatedNodes: number;
  loadBalancerPool: string;
  /** The service proxy's dataplane on real nodes (default auto). */
  proxyMode?: 'nftables' | 'userspace' | 'auto';
  /** Publish every TCP NodePort on this host loopback address too. */
  nodePortAddress?: string;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
  /**
   * Cluster DNS: its listeners (the loopback one answers cluster names only; nothing is
   * forwarded from it), zone, pod records and the kube-dns Service.
   */
  dns?: ClusterDnsConfig;
  /** Real nodes in the cluster sandbox (pods run as processes in namespaces of their own). */
  nodes?: NodeAgentConfig;
  /** A TCP connection made inside the sandbox: LoadBalancer addresses are published on the host through it. */
  sandboxConnect?: (host: string, port: number) => Promise<net.Socket>;
}

export interface Components {
  /** The DNS listener's `host:port`, when DNS runs. */
  dnsAddress?: string;
  /** Prometheus text of the components that keep metrics (cluster DNS, service proxy). */
  metrics(): string;
  stop(): Promise<void>;
}

export async function startComponents(creds: Credentials, o: ComponentOptions, log: Logger): Promise<Components> {
  const running: Controller[] = [];
  const factories: InformerFactory[] = [];
  const clients: ApiClient[] = [];
  // Controllers and nodes get their own client and informers, as separate processes would.
  const deps = (name: string) => {
    const client = new ApiClient(creds, `switchboard-${name}`);
    const informers = new InformerFactory(client, log.child({ component: name }));
    clients.push(client);
    factories.push(informers);
    return { client, informers, log: log.child({ component: name }), clock: systemClock };
  };
  if (o.controllers) {
    running.push(
      startControllerManager(
        { loadBalancerPool: o.loadBalancerPool, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs },
        deps('controllers'),
      ),
    );
  }
  if (o.simulatedNodes > 0) {
    // A node must renew well within the grace period, as the kubelet's status frequency must.
    const renewIntervalMs = Math.min(10_000, Math.max(250, (o.nodeMonitorGracePeriodMs ?? 40_000) / 4));
    running.push(startSimulatedNodes({ count: o.simulatedNodes, renewIntervalMs }, deps('simulated-nodes')));
  }
  let proxy: ServiceProxy | undefined;
  if (o.nodes && o.nodes.nodeNames.length > 0) {
    // The service proxy of the real nodes (kube-proxy's job), one for all of them; a deleted
    // pod's containers are stopped once no node routes new connections to it.
    proxy = startServiceProxy({ sandboxId: o.nodes.sandboxId, nodeNames: o.nodes.nodeNames, clusterCidr: o.nodes.podCidr ?? '10.244.0.0/16', mode: o.proxyMode ?? 'auto' }, deps('service-proxy'));
    running.push(proxy);
    running.push(startNodeAgent({ ...o.nodes, beforeStop: (ip, timeoutMs) => proxy?.waitUnrouted(ip, timeoutMs) ?? Promise.resolve(true), afterStop: (ip) => proxy?.forget(ip) ?? Promise.resolve(), proxyHealth: () => proxy?.health() ?? { healthy: false, lastUpdated: new Date(0) } }, deps('node-agent')));
    if (o.sandboxConnect) running.push(startPublisher({ nodeNames: o.nodes.nodeNames, connect: o.sandboxConnect, ...(o.nodePortAddress ? { nodePortAddress: o.nodePortAddress } : {}) }, deps('port-publisher')));
  }
  const dns = o.dns ? startClusterDns(o.dns, deps('dns')) : undefined;
  if (dns) running.push(dns);
  await Promise.all(factories.map((f) => f.start()));
  await Promise.all(running.map((c) => c.ready));
  const bound = dns?.addresses()[0];
  return {
    dnsAddress: bound ? `${bound.host}:${bound.port}` : undefined,
    metrics: () => (dns?.metrics() ?? '') + (proxy?.metrics() ?? ''),
    async stop() {
      await Promise.all(running.map((c) => c.stop()));
      await Promise.all(factories.map((f) => f.stop()));
      for (const c of clients) c.close();
    },
  };
}

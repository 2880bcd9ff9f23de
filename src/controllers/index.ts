/**
 * The controller manager: every controller of Switchboard, started on shared informers.
 * Composed by cli/ (in `up`, or alone as `switchboard controllers`).
 */
import type { Controller, ControllerDeps } from './types.js';
import { startEndpointSliceController } from './endpointslice/controller.js';
import { startEndpointsController } from './endpoints/controller.js';
import { startEndpointSliceMirroringController } from './mirroring/controller.js';
import { startReplicaSetController, startReplicationControllerController } from './replicaset/controller.js';
import { startDeploymentController } from './deployment/controller.js';
import { startStatefulSetController } from './statefulset/controller.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startJobController } from './job/controller.js';
import { startGarbageCollector } from './gc/garbage-collector.js';
import { startNamespaceController } from './namespace/namespace-controller.js';
import { startScheduler } from './scheduler/scheduler.js';
import { startNodeLifecycleController } from './nodelifecycle/node-lifecycle.js';
import { startLoadBalancerController } from './loadbalancer/lb-allocator.js';

export interface ControllerManagerConfig {
  maxEndpointsPerSlice?: number;
  /** Addresses for LoadBalancer Services (CIDR or range). */
  loadBalancerPool: string;
  /** A node silent this long goes NotReady (kube-controller-manager --node-monitor-grace-period). */
  nodeMonitorGracePeriodMs?: number;
  /** Cap on waiting to evict pods from an unreachable node. */
  podEvictionTimeoutMs?: number;
}

export function startControllerManager(config: ControllerManagerConfig, deps: ControllerDeps): Controller {
  const controllers: Controller[] = [
    startEndpointSliceController({ maxEndpointsPerSlice: config.maxEndpointsPerSlice }, deps),
    startEndpointsController({}, deps),
    startEndpointSliceMirroringController({}, deps),
    startReplicaSetController({}, deps),
    startReplicationControllerController({}, deps),
    startDeploymentController({}, deps),
    startStatefulSetController({}, deps),
    startDaemonSetController({}, deps),
    startJobController({}, deps),
    startGarbageCollector({}, deps),
    startNamespaceController({}, deps),
    startScheduler({}, deps),
    startNodeLifecycleController(
      {
        gracePeriodMs: config.nodeMonitorGracePeriodMs,
        evictionTimeoutMs: config.podEvictionTimeoutMs,
        // Check nodes several times per grace period (kube-controller-manager: 5 s for 40 s).
        monitorPeriodMs: Math.min(5000, Math.max(200, (config.nodeMonitorGracePeriodMs ?? 40_000) / 8)),
      },
      deps,
    ),
    startLoadBalancerController({ pool: config.loadBalancerPool }, deps),
  ];
  return {
    ready: Promise.all(controllers.map((c) => c.ready)).then(() => undefined),
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
    },
  };
}

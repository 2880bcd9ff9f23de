/**
 * Realistic manifests, one or more per served kind, as users and controllers write them.
 * Used by the tests: every one must pass strict field validation.
 */

import { parse } from 'yaml';

export interface Manifest {
  name: string;
  group: string;
  kind: string;
  object: unknown;
}

const docs: Record<string, string> = {
  'nginx Deployment with resources and imagePullSecrets': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: web
  labels: {app: nginx}
  annotations: {deployment.kubernetes.io/revision: "3"}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  selector:
    matchLabels: {app: nginx}
    matchExpressions: [{key: tier, operator: In, values: [frontend]}]
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: nginx, tier: frontend}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      imagePullSecrets: [{name: regcred}]
      serviceAccountName: nginx
      terminationGracePeriodSeconds: 30
      securityContext: {runAsNonRoot: true, fsGroup: 101, seccompProfile: {type: RuntimeDefault}}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app: nginx}}
              topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: nginx}}}
      tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
      nodeSelector: {kubernetes.io/os: linux}
      initContainers:
      - name: init-config
        image: busybox:1.36
        command: [sh, -c, 'cp /config/* /work/']
        volumeMounts: [{name: config, mountPath: /config}, {name: work, mountPath: /work}]
      containers:
      - name: nginx
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 80, protocol: TCP}]
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_IP, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: status.podIP}}}
        - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {containerName: nginx, resource: limits.cpu, divisor: 1m}}}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password, optional: false}}}
        - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}
        - {name: GREETING, value: "hello $(POD_NAME)"}
        envFrom: [{configMapRef: {name: settings}}, {prefix: DB_, secretRef: {name: db}}]
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 256Mi, ephemeral-storage: 1Gi}
        readinessProbe:
          httpGet: {path: /healthz, port: http, scheme: HTTP, httpHeaders: [{name: X-Probe, value: "1"}]}
          initialDelaySeconds: 2
          periodSeconds: 5
          timeoutSeconds: 1
          successThreshold: 1
          failureThreshold: 3
        livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 10}
        startupProbe: {exec: {command: [cat, /tmp/started]}, failureThreshold: 30}
        lifecycle:
          preStop: {exec: {command: [nginx, -s, quit]}}
          postStart: {httpGet: {path: /warm, port: 80}}
        volumeMounts:
        - {name: config, mountPath: /etc/nginx/conf.d, readOnly: true}
        - {name: work, mountPath: /usr/share/nginx/html, subPath: html}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      - name: grpc-sidecar
        image: example/grpc:1
        args: [--port=9090]
        workingDir: /srv
        ports: [{containerPort: 9090}]
        livenessProbe: {grpc: {port: 9090, service: health}}
        lifecycle: {preStop: {sleep: {seconds: 5}}}
        stdin: true
        tty: true
      volumes:
      - {name: config, configMap: {name: nginx-conf, items: [{key: default.conf, path: default.conf}], defaultMode: 420}}
      - {name: work, emptyDir: {sizeLimit: 64Mi}}
      - {name: certs, secret: {secretName: tls, optional: true}}
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: host, hostPath: {path: /var/log, type: Directory}}
      - name: bundle
        projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]}
      - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
      - {name: nfs, nfs: {server: nfs.example.com, path: /exports}}
status:
  observedGeneration: 4
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3
  conditions:
  - {type: Available, status: "True", lastUpdateTime: "2024-05-01T10:00:00Z", lastTransitionTime: "2024-05-01T10:00:00Z", reason: MinimumReplicasAvailable, message: ok}
`,
  'StatefulSet with volumeClaimTemplates': `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0, maxUnavailable: 1}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Delete}
  ordinals: {start: 0}
  minReadySeconds: 5
  template:
    metadata: {labels: {app: db}}
    spec:
      hostname: ignored
      subdomain: db
      containers:
      - name: postgres
        image: postgres:16
        ports: [{name: pg, containerPort: 5432}]
        volumeMounts: [{name: pgdata, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: pgdata, labels: {app: db}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: standard
      volumeMode: Filesystem
      resources: {requests: {storage: 10Gi}}
      selector: {matchLabels: {tier: ssd}}
`,
  'Service with every field': `
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  uid: 0b6c6d0e-1111-2222-3333-444455556666
  resourceVersion: "123"
  generation: 1
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels: {app: web}
  annotations: {service.kubernetes.io/topology-mode: Auto}
  finalizers: [service.kubernetes.io/load-balancer-cleanup]
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: abc, controller: true, blockOwnerDeletion: true}]
  managedFields:
  - {manager: kubectl, operation: Apply, apiVersion: v1, time: "2024-05-01T10:00:00Z", fieldsType: FieldsV1, fieldsV1: {"f:spec": {"f:ports": {}}}}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, protocol: TCP, appProtocol: http, port: 80, targetPort: http, nodePort: 30080}
  - {name: dns, protocol: UDP, port: 53, targetPort: 5353}
  clusterIP: 10.96.0.20
  clusterIPs: [10.96.0.20]
  externalIPs: [192.0.2.10]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
  loadBalancerIP: 192.0.2.1
  loadBalancerSourceRanges: [10.0.0.0/8]
  loadBalancerClass: example.com/lb
  externalName: ""
  externalTrafficPolicy: Local
  internalTrafficPolicy: Cluster
  healthCheckNodePort: 32000
  publishNotReadyAddresses: false
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  allocateLoadBalancerNodePorts: true
  trafficDistribution: PreferClose
status:
  loadBalancer:
    ingress: [{ip: 192.0.2.1, ipMode: VIP, ports: [{port: 80, protocol: TCP}]}]
  conditions:
  - {type: LoadBalancerPortsError, status: "False", observedGeneration: 1, lastTransitionTime: "2024-05-01T10:00:00Z", reason: Ok, message: ""}
`,
  'Pod with status': `
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: default
  creationTimestamp: null
  deletionTimestamp: "2024-05-01T10:00:30Z"
  deletionGracePeriodSeconds: 30
spec:
  hostname: web-0
  subdomain: web
  hostNetwork: false
  dnsPolicy: None
  dnsConfig:
    nameservers: [1.1.1.1]
    searches: [example.com]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  hostAliases: [{ip: 127.0.0.1, hostnames: [foo.local]}]
  enableServiceLinks: false
  nodeName: node-1
  restartPolicy: Always
  priority: 0
  schedulerName: default-scheduler
  readinessGates: [{conditionType: example.com/ready}]
  os: {name: linux}
  containers:
  - {name: app, image: example/app:1, command: [/bin/app], stdinOnce: false}
  ephemeralContainers:
  - {name: debugger, image: busybox, targetContainerName: app, stdin: true, tty: true}
status:
  phase: Running
  hostIP: 10.0.0.1
  hostIPs: [{ip: 10.0.0.1}]
  podIP: 10.244.0.5
  podIPs: [{ip: 10.244.0.5}]
  qosClass: BestEffort
  startTime: "2024-05-01T10:00:00Z"
  conditions:
  - {type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:05Z"}
  containerStatuses:
  - name: app
    ready: true
    started: true
    restartCount: 1
    image: example/app:1
    imageID: example/app@sha256:abc
    containerID: switchboard://123
    state: {running: {startedAt: "2024-05-01T10:00:01Z"}}
    lastState: {terminated: {exitCode: 137, signal: 9, reason: Error, startedAt: "2024-05-01T09:00:00Z", finishedAt: "2024-05-01T10:00:00Z"}}
`,
  'Endpoints': `
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default, labels: {endpointslice.kubernetes.io/skip-mirror: "true"}}
subsets:
- addresses: [{ip: 10.244.0.5, hostname: web-0, nodeName: node-1, targetRef: {kind: Pod, namespace: default, name: web-0, uid: u1}}]
  notReadyAddresses: [{ip: 10.244.0.6}]
  ports: [{name: http, port: 8080, protocol: TCP, appProtocol: http}]
`,
  'EndpointSlice': `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc12
  namespace: default
  generateName: web-
  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
endpoints:
- addresses: [10.244.0.5]
  conditions: {ready: true, serving: true, terminating: false}
  hostname: web-0
  nodeName: node-1
  zone: zone-a
  targetRef: {kind: Pod, namespace: default, name: web-0, uid: u1}
  hints: {forZones: [{name: zone-a}], forNodes: [{name: node-1}]}
ports: [{name: http, protocol: TCP, port: 8080, appProtocol: http}]
`,
};

const more: Record<string, string> = {
  'ReplicaSet': `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d4f, namespace: default, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}]}
spec: {replicas: 2, minReadySeconds: 0, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}
status: {replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1}
`,
  'DaemonSet': `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      priorityClassName: system-node-critical
      tolerations: [{operator: Exists}]
      containers: [{name: agent, image: agent:1, securityContext: {privileged: true}}]
status: {currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1}
`,
  'Job': `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  backoffLimit: 4
  completions: 1
  parallelism: 1
  ttlSecondsAfterFinished: 100
  activeDeadlineSeconds: 600
  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: migrate:1, args: [up]}]
status: {active: 1, startTime: "2024-05-01T10:00:00Z", ready: 1, uncountedTerminatedPods: {}}
`,
  'ReplicationController': `
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec: {replicas: 1, selector: {app: legacy}, template: {metadata: {labels: {app: legacy}}, spec: {containers: [{name: c, image: nginx}]}}}
`,
  'ControllerRevision': `
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: db-7d9f}
data: {spec: {template: {spec: {containers: [{name: c, image: x}]}}}}
revision: 2
`,
  'Node': `
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1, topology.kubernetes.io/zone: zone-a}}
spec: {podCIDR: 10.244.0.0/24, podCIDRs: [10.244.0.0/24], taints: [{key: node.kubernetes.io/not-ready, effect: NoSchedule}]}
status:
  capacity: {cpu: "2", memory: 4Gi, pods: "110"}
  allocatable: {cpu: 1900m, memory: 3.5Gi, pods: 110}
  conditions: [{type: Ready, status: "True", lastHeartbeatTime: "2024-05-01T10:00:00Z", lastTransitionTime: "2024-05-01T10:00:00Z", reason: KubeletReady, message: ready}]
  addresses: [{type: InternalIP, address: 10.0.0.1}, {type: Hostname, address: node-1}]
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
  nodeInfo: {machineID: m, systemUUID: s, bootID: b, kernelVersion: "6.1", osImage: Linux, containerRuntimeVersion: "switchboard://0.1", kubeletVersion: v1.32.0, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
  images: [{names: [nginx:1.27], sizeBytes: 1}]
`,
  'Namespace': `
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {kubernetes.io/metadata.name: web}}
spec: {finalizers: [kubernetes]}
status: {phase: Active}
`,
  'Event': `
apiVersion: v1
kind: Event
metadata: {name: web-0.17a, namespace: default}
involvedObject: {kind: Pod, namespace: default, name: web-0, uid: u1, apiVersion: v1, fieldPath: "spec.containers{app}"}
reason: Started
message: Started container app
source: {component: kubelet, host: node-1}
firstTimestamp: "2024-05-01T10:00:00Z"
lastTimestamp: "2024-05-01T10:00:00Z"
count: 1
type: Normal
eventTime: null
reportingComponent: kubelet
reportingInstance: node-1
`,
  'ConfigMap': `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: production, app.properties: "a=1\\nb=2"}
binaryData: {blob: AAEC}
`,
  'Secret': `
apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
data: {password: cGFzc3dvcmQ=}
stringData: {user: admin}
immutable: false
`,
  'ServiceAccount': `
apiVersion: v1
kind: ServiceAccount
metadata: {name: nginx}
automountServiceAccountToken: false
imagePullSecrets: [{name: regcred}]
secrets: [{name: nginx-token}]
`,
  'Lease': `
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: node-1, namespace: kube-node-lease}
spec: {holderIdentity: node-1, leaseDurationSeconds: 40, renewTime: "2024-05-01T10:00:00.123456Z", leaseTransitions: 0}
`,
};

function toManifest([name, text]: [string, string]): Manifest {
  const object = parse(text) as { apiVersion: string; kind: string };
  const slash = object.apiVersion.indexOf('/');
  return { name, group: slash < 0 ? '' : object.apiVersion.slice(0, slash), kind: object.kind, object };
}

export const manifests: Manifest[] = [...Object.entries(docs), ...Object.entries(more)].map(toManifest);

/**
 * core/v1 Container and its parts: ports, environment, resources, probes, lifecycle hooks,
 * volume mounts. Security contexts are free-form: Switchboard does not act on them.
 */

import {
  type Definition,
  type FieldSchema,
  INT_OR_STRING,
  atomicList,
  bool,
  coreV1,
  field,
  free,
  int32,
  int64,
  intOrString,
  mergeList,
  object,
  quantity,
  quantityMap,
  ref,
  str,
  strings,
  t,
} from './dsl.js';

const protocol = (d: string): FieldSchema => str(d, { goType: 'v1.Protocol' });

/** Fields shared by Container and EphemeralContainer (EphemeralContainerCommon mirrors Container). */
function containerFields(): Record<string, FieldSchema> {
  return {
    name: str('Name of the container, a DNS label unique within the pod.', { required: true }),
    image: str('Image reference; Switchboard maps it to a host program through its image catalogue.'),
    command: strings("Entrypoint to run, replacing the image's default. `$(VAR)` references are expanded."),
    args: strings('Arguments to the entrypoint. `$(VAR)` references are expanded.'),
    workingDir: str('Working directory of the process.'),
    ports: field(t.list(t.ref(coreV1('ContainerPort'))), 'Ports the container exposes; informational, but named ports are used by Services.', {
      patchStrategy: 'merge',
      mergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    }),
    envFrom: atomicList(coreV1('EnvFromSource'), 'Sources whose keys all become environment variables.'),
    env: mergeList(coreV1('EnvVar'), 'name', 'Environment variables to set in the container.'),
    resources: ref(coreV1('ResourceRequirements'), 'Compute resources the container requests and is limited to.'),
    resizePolicy: atomicList(coreV1('ContainerResizePolicy'), 'How each resource may be resized in place.'),
    restartPolicy: str('For init containers only: `Always` makes it a sidecar that runs for the life of the pod.'),
    restartPolicyRules: atomicList(t.free, 'Rules that decide, per exit code, whether the container restarts.'),
    volumeMounts: mergeList(coreV1('VolumeMount'), 'mountPath', 'Volumes mounted into the container filesystem.'),
    volumeDevices: mergeList(coreV1('VolumeDevice'), 'devicePath', 'Block devices the container uses.'),
    livenessProbe: ref(coreV1('Probe'), 'Periodic check; the container is restarted when it fails.'),
    readinessProbe: ref(coreV1('Probe'), 'Periodic check; the pod is removed from Service endpoints while it fails.'),
    startupProbe: ref(coreV1('Probe'), 'Check that must succeed before the other probes start.'),
    lifecycle: ref(coreV1('Lifecycle'), 'Hooks run after the container starts and before it stops.'),
    terminationMessagePath: str('File whose contents become the termination message. Default `/dev/termination-log`.'),
    terminationMessagePolicy: str('`File` or `FallbackToLogsOnError`.'),
    imagePullPolicy: str('`Always`, `Never` or `IfNotPresent`.'),
    securityContext: free('Security options of the container (user, capabilities, privileges).'),
    stdin: bool('Keep a stdin buffer open for the container.'),
    stdinOnce: bool('Close stdin after the first attach session ends.'),
    tty: bool('Allocate a terminal for the container.'),
  };
}

const container = object(coreV1('Container'), 'A process to run in the pod.', containerFields());

const ephemeralContainer = object(coreV1('EphemeralContainer'), 'A temporary container added to a running pod for debugging.', {
  ...containerFields(),
  targetContainerName: str('Container whose process namespace this one joins.'),
});

const containerPort = object(coreV1('ContainerPort'), 'A network port of a container.', {
  name: str('Name of the port (an IANA_SVC_NAME), usable as a Service targetPort.'),
  hostPort: int32('Port to expose on the host.'),
  containerPort: int32('Port number on the pod IP.', { required: true }),
  protocol: protocol('`TCP`, `UDP` or `SCTP`. Default `TCP`.'),
  hostIP: str('Host IP to bind the host port to.'),
});

const envVar = object(coreV1('EnvVar'), 'An environment variable.', {
  name: str('Variable name.', { required: true }),
  value: str('Literal value; `$(VAR)` references to earlier variables are expanded.'),
  valueFrom: ref(coreV1('EnvVarSource'), 'Where to read the value from when `value` is not given.'),
});

const envVarSource = object(coreV1('EnvVarSource'), 'A source for one environment variable value.', {
  fieldRef: ref(coreV1('ObjectFieldSelector'), 'A field of the pod: metadata.name, metadata.namespace, status.podIP, ...'),
  resourceFieldRef: ref(coreV1('ResourceFieldSelector'), 'A resource limit or request of a container.'),
  configMapKeyRef: ref(coreV1('ConfigMapKeySelector'), 'A key of a ConfigMap.'),
  secretKeyRef: ref(coreV1('SecretKeySelector'), 'A key of a Secret.'),
  fileKeyRef: free('A key of an env file in a volume.'),
});

const objectFieldSelector = object(
  coreV1('ObjectFieldSelector'),
  'Selects a field of the pod.',
  {
    apiVersion: str('API version the field path is written in. Default `v1`.'),
    fieldPath: str('Path of the field, e.g. `status.podIP`.', { required: true }),
  },
  { atomic: true },
);

const resourceFieldSelector = object(
  coreV1('ResourceFieldSelector'),
  'Selects a container resource.',
  {
    containerName: str('Container to read; required for volumes.'),
    resource: str('Resource to read, e.g. `limits.cpu`.', { required: true }),
    divisor: quantity('Unit to express the value in. Default `1`.'),
  },
  { atomic: true },
);

const keySelector = (name: string, what: string): Definition =>
  object(
    coreV1(name),
    `Selects a key of a ${what}.`,
    {
      name: str(`Name of the ${what}.`),
      key: str('The key to read.', { required: true }),
      optional: bool(`Whether a missing ${what} or key is allowed.`),
    },
    { atomic: true },
  );

const envFromSource = object(coreV1('EnvFromSource'), 'A source of many environment variables.', {
  prefix: str('Prefix added to each key.'),
  configMapRef: ref(coreV1('ConfigMapEnvSource'), 'ConfigMap whose keys become variables.'),
  secretRef: ref(coreV1('SecretEnvSource'), 'Secret whose keys become variables.'),
});

const envSource = (name: string, what: string): Definition =>
  object(coreV1(name), `A ${what} whose keys become environment variables.`, {
    name: str(`Name of the ${what}.`),
    optional: bool(`Whether the ${what} may be missing.`),
  });

const resourceRequirements = object(coreV1('ResourceRequirements'), 'Compute resources requested and limited.', {
  limits: quantityMap('Most of each resource the container may use, e.g. `cpu: 500m`, `memory: 128Mi`.'),
  requests: quantityMap('Amount of each resource the container needs; used for scheduling.'),
  claims: field(t.list(t.ref(coreV1('ResourceClaim'))), 'Dynamic resource claims the container uses.', {
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

const resourceClaim = object(coreV1('ResourceClaim'), 'A reference to one of the pod resource claims.', {
  name: str('Name of an entry of `spec.resourceClaims`.', { required: true }),
  request: str('Name of a request within the claim.'),
});

const resizePolicy = object(coreV1('ContainerResizePolicy'), 'How a resource may be resized.', {
  resourceName: str('Resource name: `cpu` or `memory`.', { required: true }),
  restartPolicy: str('`NotRequired` or `RestartContainer`.', { required: true }),
});

const volumeMount = object(coreV1('VolumeMount'), 'A volume mounted into a container.', {
  name: str('Name of the pod volume.', { required: true }),
  readOnly: bool('Mount read-only.'),
  recursiveReadOnly: str('Whether read-only applies to sub-mounts: `Disabled`, `IfPossible` or `Enabled`.'),
  mountPath: str('Path inside the container.', { required: true }),
  subPath: str('Path within the volume to mount instead of its root.'),
  mountPropagation: str('How mounts propagate: `None`, `HostToContainer` or `Bidirectional`.'),
  subPathExpr: str('Like `subPath`, with `$(VAR)` references expanded.'),
});

const volumeDevice = object(coreV1('VolumeDevice'), 'A raw block device mapped into a container.', {
  name: str('Name of a persistentVolumeClaim volume of the pod.', { required: true }),
  devicePath: str('Path of the device inside the container.', { required: true }),
});

/** The handler fields a probe or lifecycle hook may use (one of them). */
function handlerFields(): Record<string, FieldSchema> {
  return {
    exec: ref(coreV1('ExecAction'), 'Run a command in the container; exit status 0 is success.'),
    httpGet: ref(coreV1('HTTPGetAction'), 'HTTP GET; a 2xx or 3xx status is success.'),
    tcpSocket: ref(coreV1('TCPSocketAction'), 'Open a TCP connection; success if it connects.'),
  };
}

const probe = object(coreV1('Probe'), 'A periodic health check of a container.', {
  ...handlerFields(),
  grpc: ref(coreV1('GRPCAction'), 'gRPC health check.'),
  initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
  timeoutSeconds: int32('Seconds before a probe times out. Default 1.'),
  periodSeconds: int32('Seconds between probes. Default 10.'),
  successThreshold: int32('Consecutive successes needed after a failure. Default 1.'),
  failureThreshold: int32('Consecutive failures before the probe counts as failed. Default 3.'),
  terminationGracePeriodSeconds: int64('Grace period used when a failing probe kills the container.'),
});

const lifecycleHandler = object(coreV1('LifecycleHandler'), 'An action run at a lifecycle event.', {
  ...handlerFields(),
  sleep: ref(coreV1('SleepAction'), 'Wait a number of seconds.'),
});

const lifecycle = object(coreV1('Lifecycle'), 'Actions run when a container starts and stops.', {
  postStart: ref(coreV1('LifecycleHandler'), 'Run right after the container is created.'),
  preStop: ref(coreV1('LifecycleHandler'), 'Run before the container is sent SIGTERM.'),
  stopSignal: str('Signal used to stop the container.'),
});

const execAction = object(coreV1('ExecAction'), 'A command run in the container.', {
  command: strings('Command and arguments; not run in a shell.'),
});

const httpGetAction = object(coreV1('HTTPGetAction'), 'An HTTP GET request.', {
  path: str('Path to request.'),
  port: intOrString('Port number or name.', { required: true }),
  host: str('Host to connect to; defaults to the pod IP.'),
  scheme: str('`HTTP` or `HTTPS`. Default `HTTP`.'),
  httpHeaders: atomicList(coreV1('HTTPHeader'), 'Extra request headers.'),
});

const httpHeader = object(coreV1('HTTPHeader'), 'An HTTP header.', {
  name: str('Header name.', { required: true }),
  value: str('Header value.', { required: true }),
});

const tcpSocketAction = object(coreV1('TCPSocketAction'), 'A TCP connection attempt.', {
  port: field(t.ref(INT_OR_STRING), 'Port number or name.', { required: true }),
  host: str('Host to connect to; defaults to the pod IP.'),
});

const grpcAction = object(coreV1('GRPCAction'), 'A gRPC health check request.', {
  port: int32('Port of the gRPC service.', { required: true }),
  service: str('Service name sent in the health check request.'),
});

const sleepAction = object(coreV1('SleepAction'), 'A pause.', {
  seconds: int64('Seconds to sleep.', { required: true }),
});

export const containerDefinitions: Definition[] = [
  container,
  ephemeralContainer,
  containerPort,
  envVar,
  envVarSource,
  objectFieldSelector,
  resourceFieldSelector,
  keySelector('ConfigMapKeySelector', 'ConfigMap'),
  keySelector('SecretKeySelector', 'Secret'),
  envFromSource,
  envSource('ConfigMapEnvSource', 'ConfigMap'),
  envSource('SecretEnvSource', 'Secret'),
  resourceRequirements,
  resourceClaim,
  resizePolicy,
  volumeMount,
  volumeDevice,
  probe,
  lifecycleHandler,
  lifecycle,
  execAction,
  httpGetAction,
  httpHeader,
  tcpSocketAction,
  grpcAction,
  sleepAction,
];

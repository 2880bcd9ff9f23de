import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patchMetaFor } from './index.js';
import type { PatchMeta } from './index.js';

// Facts from Kubernetes' Go struct tags (kubernetes/api core/v1, apps/v1, discovery/v1; apimachinery meta/v1).
const cases: { group: string; kind: string; path: string; want: PatchMeta | undefined }[] = [
  { group: '', kind: 'Service', path: 'metadata.finalizers', want: { strategy: 'merge', listType: 'set' } },
  {
    group: '',
    kind: 'Service',
    path: 'metadata.ownerReferences',
    want: { strategy: 'merge', mergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
  },
  { group: '', kind: 'Service', path: 'metadata.labels', want: {} },
  { group: '', kind: 'Service', path: 'metadata.managedFields', want: { listType: 'atomic' } },
  {
    group: '',
    kind: 'Service',
    path: 'spec.ports',
    want: { strategy: 'merge', mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
  },
  { group: '', kind: 'Service', path: 'spec.selector', want: { mapType: 'atomic' } },
  { group: '', kind: 'Service', path: 'spec.clusterIPs', want: { listType: 'atomic' } },
  { group: '', kind: 'Service', path: 'status.conditions', want: { strategy: 'merge', mergeKey: 'type', listType: 'map', listMapKeys: ['type'] } },
  { group: '', kind: 'Pod', path: 'spec.containers', want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  { group: '', kind: 'Pod', path: 'spec.initContainers', want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  { group: '', kind: 'Pod', path: 'spec.ephemeralContainers', want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  { group: '', kind: 'Pod', path: 'spec.containers.env', want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  {
    group: '',
    kind: 'Pod',
    path: 'spec.containers.ports',
    want: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  },
  { group: '', kind: 'Pod', path: 'spec.containers.volumeMounts', want: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] } },
  { group: '', kind: 'Pod', path: 'spec.containers.command', want: { listType: 'atomic' } },
  { group: '', kind: 'Pod', path: 'spec.volumes', want: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  { group: '', kind: 'Pod', path: 'spec.tolerations', want: { listType: 'atomic' } },
  { group: '', kind: 'Pod', path: 'spec.imagePullSecrets', want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] } },
  { group: '', kind: 'Pod', path: 'spec.nodeSelector', want: { mapType: 'atomic' } },
  { group: '', kind: 'Pod', path: 'status.conditions', want: { strategy: 'merge', mergeKey: 'type', listType: 'map', listMapKeys: ['type'] } },
  { group: '', kind: 'Pod', path: 'status.podIPs', want: { strategy: 'merge', mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] } },
  {
    group: 'apps',
    kind: 'Deployment',
    path: 'spec.template.spec.containers.env',
    want: { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  { group: 'apps', kind: 'Deployment', path: 'spec.strategy', want: { strategy: 'retainKeys' } },
  { group: 'apps', kind: 'Deployment', path: 'spec.selector', want: { mapType: 'atomic' } },
  { group: 'apps', kind: 'Deployment', path: 'status.conditions', want: { strategy: 'merge', mergeKey: 'type', listType: 'map', listMapKeys: ['type'] } },
  { group: 'apps', kind: 'StatefulSet', path: 'spec.volumeClaimTemplates', want: { listType: 'atomic' } },
  { group: '', kind: 'Endpoints', path: 'subsets', want: { listType: 'atomic' } },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', path: 'endpoints', want: { listType: 'atomic' } },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', path: 'endpoints.addresses', want: { listType: 'set' } },
  { group: 'batch', kind: 'Job', path: 'status.conditions', want: { strategy: 'merge', mergeKey: 'type', listType: 'atomic' } },
  { group: '', kind: 'Node', path: 'status.addresses', want: { strategy: 'merge', mergeKey: 'type', listType: 'map', listMapKeys: ['type'] } },
  { group: '', kind: 'Service', path: 'spec.ports.port', want: {} },
  { group: '', kind: 'Service', path: 'spec.nope', want: undefined },
  { group: '', kind: 'Pod', path: 'spec.affinity.nodeAffinity', want: undefined },
  { group: 'example.com', kind: 'Widget', path: 'spec', want: undefined },
];

for (const c of cases) {
  test(`${c.group || 'core'}/${c.kind} ${c.path}`, () => {
    assert.deepEqual(patchMetaFor(c.group, c.kind)(c.path.split('.')), c.want);
  });
}

/**
 * core/v1 Volume and PersistentVolumeClaim (for StatefulSet volumeClaimTemplates).
 * The volume sources Switchboard can back are modelled; the others are free-form so that
 * real manifests are accepted.
 */

import {
  type Definition,
  type FieldSchema,
  LABEL_SELECTOR,
  atomicList,
  bool,
  coreV1,
  free,
  int32,
  kindObject,
  object,
  quantity,
  quantityMap,
  ref,
  str,
  strings,
} from './dsl.js';

/** Volume sources not modelled: kept as given. */
const otherSources = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function otherSourceFields(): Record<string, FieldSchema> {
  return Object.fromEntries(otherSources.map((name) => [name, free(`A \`${name}\` volume source; not used by Switchboard.`)]));
}

const volume = object(coreV1('Volume'), 'A named volume of a pod: the name plus exactly one source.', {
  name: str('Name of the volume, referenced by volume mounts.', { required: true }),
  hostPath: ref(coreV1('HostPathVolumeSource'), 'A file or directory of the host.'),
  emptyDir: ref(coreV1('EmptyDirVolumeSource'), 'An empty directory that lives as long as the pod.'),
  secret: ref(coreV1('SecretVolumeSource'), 'Files from the keys of a Secret.'),
  configMap: ref(coreV1('ConfigMapVolumeSource'), 'Files from the keys of a ConfigMap.'),
  persistentVolumeClaim: ref(coreV1('PersistentVolumeClaimVolumeSource'), 'A PersistentVolumeClaim in the same namespace.'),
  downwardAPI: free('Files holding fields of the pod.'),
  projected: free('Several sources (secrets, configmaps, downward API, tokens) in one directory.'),
  ...otherSourceFields(),
});

const hostPath = object(coreV1('HostPathVolumeSource'), 'A path on the host.', {
  path: str('Path on the host.', { required: true }),
  type: str('What must exist at the path: `Directory`, `File`, `DirectoryOrCreate`, ...'),
});

const emptyDir = object(coreV1('EmptyDirVolumeSource'), 'An empty scratch directory.', {
  medium: str('Storage medium: empty for the node default, or `Memory`.'),
  sizeLimit: quantity('Most space the directory may use.'),
});

const keyToPath = object(coreV1('KeyToPath'), 'Maps a key to a file path in a volume.', {
  key: str('The key to project.', { required: true }),
  path: str('Relative path of the file.', { required: true }),
  mode: int32('File mode bits.'),
});

const secretVolume = object(coreV1('SecretVolumeSource'), 'A Secret as files.', {
  secretName: str('Name of the Secret.'),
  items: atomicList(coreV1('KeyToPath'), 'Keys to project; all keys when empty.'),
  defaultMode: int32('Mode bits of the files. Default 0644.'),
  optional: bool('Whether the Secret may be missing.'),
});

const configMapVolume = object(coreV1('ConfigMapVolumeSource'), 'A ConfigMap as files.', {
  name: str('Name of the ConfigMap.'),
  items: atomicList(coreV1('KeyToPath'), 'Keys to project; all keys when empty.'),
  defaultMode: int32('Mode bits of the files. Default 0644.'),
  optional: bool('Whether the ConfigMap may be missing.'),
});

const pvcVolume = object(coreV1('PersistentVolumeClaimVolumeSource'), 'A reference to a PersistentVolumeClaim.', {
  claimName: str('Name of the claim.', { required: true }),
  readOnly: bool('Mount read-only.'),
});

const pvc = kindObject(
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
  coreV1('PersistentVolumeClaim'),
  'A request for storage.',
  {
    spec: ref(coreV1('PersistentVolumeClaimSpec'), 'The storage requested.'),
    status: free('The observed state of the claim.'),
  },
);

const pvcSpec = object(coreV1('PersistentVolumeClaimSpec'), 'The storage a claim asks for.', {
  accessModes: strings('Access modes: `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`.'),
  selector: ref(LABEL_SELECTOR, 'Labels of volumes that may be bound.'),
  resources: ref(coreV1('VolumeResourceRequirements'), 'Amount of storage requested.'),
  volumeName: str('Name of a specific volume to bind.'),
  storageClassName: str('StorageClass to provision from.'),
  volumeMode: str('`Filesystem` or `Block`. Default `Filesystem`.'),
  dataSource: free('An object to populate the volume from.'),
  dataSourceRef: free('An object, possibly in another namespace, to populate the volume from.'),
  volumeAttributesClassName: str('VolumeAttributesClass of the claim.'),
});

const volumeResources = object(coreV1('VolumeResourceRequirements'), 'Storage requested and limited.', {
  limits: quantityMap('Most storage allowed.'),
  requests: quantityMap('Storage needed, e.g. `storage: 1Gi`.'),
});

export const volumeDefinitions: Definition[] = [
  volume,
  hostPath,
  emptyDir,
  keyToPath,
  secretVolume,
  configMapVolume,
  pvcVolume,
  pvc,
  pvcSpec,
  volumeResources,
];

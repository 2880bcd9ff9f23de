/**
 * core/v1 Volume and the volume sources Switchboard's pods can use (host-backed or
 * API-backed). Other sources (cloud disks, iSCSI, ...) are unknown numbers and dropped.
 */

import { always, bool, i32, i64, inline, list, map, one, ptr, str, type MessageTable } from './schema.js';

export const volumeMessages: MessageTable = {
  'core.Volume': {
    1: str('name', always),
    2: inline('core.VolumeSource'),
  },
  'core.VolumeSource': {
    1: one('hostPath', 'core.HostPathVolumeSource', ptr),
    2: one('emptyDir', 'core.EmptyDirVolumeSource', ptr),
    6: one('secret', 'core.SecretVolumeSource', ptr),
    7: one('nfs', 'core.NFSVolumeSource', ptr),
    10: one('persistentVolumeClaim', 'core.PersistentVolumeClaimVolumeSource', ptr),
    16: one('downwardAPI', 'core.DownwardAPIVolumeSource', ptr),
    19: one('configMap', 'core.ConfigMapVolumeSource', ptr),
    26: one('projected', 'core.ProjectedVolumeSource', ptr),
    28: one('csi', 'core.CSIVolumeSource', ptr),
    30: one('image', 'core.ImageVolumeSource', ptr),
  },
  'core.HostPathVolumeSource': { 1: str('path', always), 2: str('type', ptr) },
  'core.EmptyDirVolumeSource': { 1: str('medium'), 2: one('sizeLimit', 'Quantity', ptr) },
  'core.SecretVolumeSource': {
    1: str('secretName'),
    2: list('items', 'core.KeyToPath'),
    3: i32('defaultMode', ptr),
    4: bool('optional', ptr),
  },
  'core.ConfigMapVolumeSource': {
    1: inline('core.LocalObjectReference'),
    2: list('items', 'core.KeyToPath'),
    3: i32('defaultMode', ptr),
    4: bool('optional', ptr),
  },
  'core.KeyToPath': { 1: str('key', always), 2: str('path', always), 3: i32('mode', ptr) },
  'core.NFSVolumeSource': { 1: str('server', always), 2: str('path', always), 3: bool('readOnly') },
  'core.PersistentVolumeClaimVolumeSource': { 1: str('claimName', always), 2: bool('readOnly') },
  'core.DownwardAPIVolumeSource': {
    1: list('items', 'core.DownwardAPIVolumeFile'),
    2: i32('defaultMode', ptr),
  },
  'core.DownwardAPIVolumeFile': {
    1: str('path', always),
    2: one('fieldRef', 'core.ObjectFieldSelector', ptr),
    3: one('resourceFieldRef', 'core.ResourceFieldSelector', ptr),
    4: i32('mode', ptr),
  },
  'core.ProjectedVolumeSource': {
    1: list('sources', 'core.VolumeProjection'),
    2: i32('defaultMode', ptr),
  },
  'core.VolumeProjection': {
    1: one('secret', 'core.SecretProjection', ptr),
    2: one('downwardAPI', 'core.DownwardAPIProjection', ptr),
    3: one('configMap', 'core.ConfigMapProjection', ptr),
    4: one('serviceAccountToken', 'core.ServiceAccountTokenProjection', ptr),
  },
  'core.SecretProjection': {
    1: inline('core.LocalObjectReference'),
    2: list('items', 'core.KeyToPath'),
    4: bool('optional', ptr),
  },
  'core.ConfigMapProjection': {
    1: inline('core.LocalObjectReference'),
    2: list('items', 'core.KeyToPath'),
    4: bool('optional', ptr),
  },
  'core.DownwardAPIProjection': { 1: list('items', 'core.DownwardAPIVolumeFile') },
  'core.ServiceAccountTokenProjection': {
    1: str('audience'),
    2: i64('expirationSeconds', ptr),
    3: str('path', always),
  },
  'core.CSIVolumeSource': {
    1: str('driver', always),
    2: bool('readOnly', ptr),
    3: str('fsType', ptr),
    4: map('volumeAttributes'),
    5: one('nodePublishSecretRef', 'core.LocalObjectReference', ptr),
  },
  'core.ImageVolumeSource': { 1: str('reference'), 2: str('pullPolicy') },
};

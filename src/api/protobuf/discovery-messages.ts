/**
 * discovery.k8s.io/v1 EndpointSlice and coordination.k8s.io/v1 Lease. Field numbers from
 * k8s.io/api discovery/v1 and coordination/v1 generated.proto.
 */

import { always, bool, i32, list, map, one, ptr, str, type MessageTable } from './schema.js';

export const discoveryMessages: MessageTable = {
  'discovery.EndpointSlice': {
    1: one('metadata', 'meta.ObjectMeta'),
    4: str('addressType', always),
    2: list('endpoints', 'discovery.Endpoint'),
    3: list('ports', 'discovery.EndpointPort'),
  },
  'discovery.Endpoint': {
    1: list('addresses', 'string'),
    2: one('conditions', 'discovery.EndpointConditions'),
    3: str('hostname', ptr),
    4: one('targetRef', 'core.ObjectReference', ptr),
    5: map('deprecatedTopology'),
    6: str('nodeName', ptr),
    7: str('zone', ptr),
    8: one('hints', 'discovery.EndpointHints', ptr),
  },
  'discovery.EndpointConditions': {
    1: bool('ready', ptr),
    2: bool('serving', ptr),
    3: bool('terminating', ptr),
  },
  'discovery.EndpointHints': {
    1: list('forZones', 'discovery.ForZone'),
    2: list('forNodes', 'discovery.ForNode'),
  },
  'discovery.ForZone': { 1: str('name', always) },
  'discovery.ForNode': { 1: str('name', always) },
  'discovery.EndpointPort': {
    1: str('name', ptr),
    2: str('protocol', ptr),
    3: i32('port', ptr),
    4: str('appProtocol', ptr),
  },
};

export const coordinationMessages: MessageTable = {
  'coordination.Lease': {
    1: one('metadata', 'meta.ObjectMeta'),
    2: one('spec', 'coordination.LeaseSpec'),
  },
  'coordination.LeaseSpec': {
    1: str('holderIdentity', ptr),
    2: i32('leaseDurationSeconds', ptr),
    3: one('acquireTime', 'MicroTime', ptr),
    4: one('renewTime', 'MicroTime', ptr),
    5: i32('leaseTransitions', ptr),
    6: str('strategy', ptr),
    7: str('preferredHolder', ptr),
  },
};

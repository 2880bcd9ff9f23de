/**
 * core/v1 scheduling messages reachable from PodSpec: tolerations, affinity, topology
 * spread, DNS config, host aliases, readiness and scheduling gates.
 */

import { always, i32, i64, list, one, ptr, str, type MessageTable } from './schema.js';

export const schedulingMessages: MessageTable = {
  'core.Toleration': {
    1: str('key'),
    2: str('operator'),
    3: str('value'),
    4: str('effect'),
    5: i64('tolerationSeconds', ptr),
  },
  'core.PodDNSConfig': {
    1: list('nameservers', 'string'),
    2: list('searches', 'string'),
    3: list('options', 'core.PodDNSConfigOption'),
  },
  'core.PodDNSConfigOption': { 1: str('name'), 2: str('value', ptr) },
  'core.HostAlias': { 1: str('ip', always), 2: list('hostnames', 'string') },
  'core.PodReadinessGate': { 1: str('conditionType', always) },
  'core.PodOS': { 1: str('name', always) },
  'core.PodSchedulingGate': { 1: str('name', always) },
  'core.TopologySpreadConstraint': {
    1: i32('maxSkew', always),
    2: str('topologyKey', always),
    3: str('whenUnsatisfiable', always),
    4: one('labelSelector', 'meta.LabelSelector', ptr),
    5: i32('minDomains', ptr),
    6: str('nodeAffinityPolicy', ptr),
    7: str('nodeTaintsPolicy', ptr),
    8: list('matchLabelKeys', 'string'),
  },
  'core.Affinity': {
    1: one('nodeAffinity', 'core.NodeAffinity', ptr),
    2: one('podAffinity', 'core.PodAffinity', ptr),
    3: one('podAntiAffinity', 'core.PodAffinity', ptr),
  },
  'core.NodeAffinity': {
    1: one('requiredDuringSchedulingIgnoredDuringExecution', 'core.NodeSelector', ptr),
    2: list('preferredDuringSchedulingIgnoredDuringExecution', 'core.PreferredSchedulingTerm'),
  },
  'core.NodeSelector': { 1: list('nodeSelectorTerms', 'core.NodeSelectorTerm') },
  'core.NodeSelectorTerm': {
    1: list('matchExpressions', 'core.NodeSelectorRequirement'),
    2: list('matchFields', 'core.NodeSelectorRequirement'),
  },
  'core.NodeSelectorRequirement': {
    1: str('key', always),
    2: str('operator', always),
    3: list('values', 'string'),
  },
  'core.PreferredSchedulingTerm': {
    1: i32('weight', always),
    2: one('preference', 'core.NodeSelectorTerm', always),
  },
  // PodAffinity and PodAntiAffinity share one shape on the wire and in JSON.
  'core.PodAffinity': {
    1: list('requiredDuringSchedulingIgnoredDuringExecution', 'core.PodAffinityTerm'),
    2: list('preferredDuringSchedulingIgnoredDuringExecution', 'core.WeightedPodAffinityTerm'),
  },
  'core.PodAffinityTerm': {
    1: one('labelSelector', 'meta.LabelSelector', ptr),
    2: list('namespaces', 'string'),
    3: str('topologyKey', always),
    4: one('namespaceSelector', 'meta.LabelSelector', ptr),
    5: list('matchLabelKeys', 'string'),
    6: list('mismatchLabelKeys', 'string'),
  },
  'core.WeightedPodAffinityTerm': {
    1: i32('weight', always),
    2: one('podAffinityTerm', 'core.PodAffinityTerm', always),
  },
};

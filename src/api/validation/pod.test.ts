import { describe } from 'node:test';
import { type Case, container, pod, runCases } from './testing.js';

const probe = (extra: Record<string, unknown>) => ({ livenessProbe: { httpGet: { port: 8080 }, ...extra } });

const create: Case[] = [
  { name: 'valid pod', obj: pod(), want: [] },
  { name: 'no containers', obj: pod({ containers: [] }), want: [{ type: 'FieldValueRequired', field: 'spec.containers' }] },
  { name: 'container without image', obj: pod({ containers: [{ name: 'app' }] }), want: [{ type: 'FieldValueRequired', field: 'spec.containers[0].image' }] },
  { name: 'upper-case container name', obj: pod({ containers: [container({ name: 'App' })] }), want: [{ type: 'FieldValueInvalid', field: 'spec.containers[0].name' }] },
  {
    name: 'duplicate container names',
    obj: pod({ containers: [container(), container()] }),
    want: [{ type: 'FieldValueDuplicate', field: 'spec.containers[1].name' }],
  },
  {
    name: 'container port out of range',
    obj: pod({ containers: [container({ ports: [{ containerPort: 70000 }] })] }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.containers[0].ports[0].containerPort' }],
  },
  {
    name: 'port name longer than 15',
    obj: pod({ containers: [container({ ports: [{ containerPort: 80, name: 'much-too-long-name' }] })] }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.containers[0].ports[0].name' }],
  },
  { name: 'probe without handler', obj: pod({ containers: [container({ livenessProbe: { periodSeconds: 5 } })] }), want: [{ type: 'FieldValueRequired', field: 'spec.containers[0].livenessProbe' }] },
  {
    name: 'probe with two handlers',
    obj: pod({ containers: [container(probe({ tcpSocket: { port: 8080 } }))] }),
    want: [{ type: 'FieldValueForbidden', field: 'spec.containers[0].livenessProbe.tcpSocket' }],
  },
  {
    name: 'liveness successThreshold 2',
    obj: pod({ containers: [container(probe({ successThreshold: 2 }))] }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.containers[0].livenessProbe.successThreshold' }],
  },
  { name: 'bad restartPolicy', obj: pod({ restartPolicy: 'Sometimes' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.restartPolicy' }] },
  { name: 'bad dnsPolicy', obj: pod({ dnsPolicy: 'Cluster' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.dnsPolicy' }] },
  { name: 'dnsPolicy None without dnsConfig', obj: pod({ dnsPolicy: 'None' }), want: [{ type: 'FieldValueRequired', field: 'spec.dnsConfig' }] },
  { name: 'dnsPolicy None with nameserver', obj: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }), want: [] },
  { name: 'hostname not a label', obj: pod({ hostname: 'a.b' }), want: [{ type: 'FieldValueInvalid', field: 'spec.hostname' }] },
  { name: 'subdomain ok', obj: pod({ hostname: 'web-0', subdomain: 'web' }), want: [] },
  { name: 'bad label key', obj: { ...pod(), metadata: { name: 'p', namespace: 'default', labels: { 'a/b/c': 'x' } } }, want: [{ type: 'FieldValueInvalid', field: 'metadata.labels' }] },
  {
    name: 'annotations over 256 KiB',
    obj: { ...pod(), metadata: { name: 'p', namespace: 'default', annotations: { big: 'x'.repeat(256 * 1024) } } },
    want: [{ type: 'FieldValueTooLong', field: 'metadata.annotations' }],
  },
  { name: 'missing namespace', obj: { ...pod(), metadata: { name: 'p' } }, want: [{ type: 'FieldValueRequired', field: 'metadata.namespace' }] },
];

const update: Case[] = [
  { name: 'image change allowed', old: pod(), obj: pod({ containers: [container({ image: 'nginx:1.28' })] }), want: [] },
  {
    name: 'port change forbidden',
    old: pod(),
    obj: pod({ containers: [container({ ports: [{ containerPort: 80 }] })] }),
    want: [{ type: 'FieldValueForbidden', field: 'spec', message: 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`' }],
  },
  {
    name: 'toleration added',
    old: pod(),
    obj: pod({ tolerations: [{ key: 'k', operator: 'Exists' }] }),
    want: [],
  },
  { name: 'activeDeadlineSeconds lowered', old: pod({ activeDeadlineSeconds: 100 }), obj: pod({ activeDeadlineSeconds: 50 }), want: [] },
  {
    name: 'activeDeadlineSeconds raised',
    old: pod({ activeDeadlineSeconds: 100 }),
    obj: pod({ activeDeadlineSeconds: 200 }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.activeDeadlineSeconds' }],
  },
];

describe('Pod create validation', () => runCases(create, { group: '', kind: 'Pod' }));
describe('Pod update validation', () => runCases(update, { group: '', kind: 'Pod' }));

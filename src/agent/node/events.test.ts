import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecord } from '../../client/events.js';
import type { ApiClient } from '../../client/rest.js';
import { silentLogger } from '../../lib/log.js';
import { EventRecorder } from './events.js';

type Ev = KubeObject & { count: number; message: string; reason: string; firstTimestamp: string; lastTimestamp: string; involvedObject: Record<string, unknown>; source: Record<string, unknown> };

/** An events store that records every write, and can be told to fail. */
class FakeEvents {
  readonly byName = new Map<string, Ev>();
  readonly writes: string[] = [];
  failing = false;
  /** The next create is stored but its answer is lost (the caller sees an error). */
  loseNextAnswer = false;

  readonly client: Pick<ApiClient, 'create' | 'patch'> = {
    create: async <T extends KubeObject>(_info: unknown, _ns: string | undefined, obj: KubeObject): Promise<T> => {
      await Promise.resolve();
      this.writes.push(`create ${obj.metadata.name}`);
      if (this.failing) throw new Error('connection refused');
      const name = obj.metadata.name ?? '';
      if (this.byName.has(name)) throw errors.alreadyExists({ group: '', resource: 'events', name });
      this.byName.set(name, structuredClone(obj) as Ev);
      if (this.loseNextAnswer) {
        this.loseNextAnswer = false;
        throw new Error('socket hang up');
      }
      return obj as T;
    },
    patch: async <T extends KubeObject>(_info: unknown, _ns: string | undefined, name: string, _type: unknown, patch: unknown): Promise<T> => {
      await Promise.resolve();
      this.writes.push(`patch ${name}`);
      if (this.failing) throw new Error('connection refused');
      const current = this.byName.get(name);
      if (!current) throw errors.notFound({ group: '', resource: 'events', name });
      Object.assign(current, patch);
      return current as unknown as T;
    },
  };

  list(): Ev[] {
    return [...this.byName.values()];
  }
}

function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')): { now(): Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns', uid: 'u1', resourceVersion: '7' } };

function newRecord(overrides: Partial<EventRecord> = {}): EventRecord {
  return { object: pod, type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: no', component: 'kubelet', host: 'node-0', fieldPath: 'spec.containers{main}', ...overrides };
}

function setup(minIntervalMs = 60_000): { store: FakeEvents; clock: ReturnType<typeof fakeClock>; recorder: EventRecorder } {
  const store = new FakeEvents();
  const clock = fakeClock();
  const recorder = new EventRecorder({ client: store.client, clock, log: silentLogger(), minIntervalMs });
  return { store, clock, recorder };
}

describe('EventRecorder', () => {
  test('an event is created at once, with the kubelet\'s source, reporting fields and field path', async () => {
    const { store, recorder } = setup();
    recorder.record(newRecord());
    await recorder.flush();
    const [e] = store.list();
    assert.ok(e);
    assert.equal(e.count, 1);
    assert.equal(e.metadata.namespace, 'ns');
    assert.deepEqual(e.source, { component: 'kubelet', host: 'node-0' });
    assert.equal(e.reportingComponent, 'kubelet');
    assert.equal(e.reportingInstance, 'node-0');
    assert.deepEqual(e.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'ns', uid: 'u1', resourceVersion: '7', fieldPath: 'spec.containers{main}' });
    assert.match(e.metadata.name ?? '', /^web\.[0-9a-f]+$/);
  });

  test('repeats update one Event\'s count and lastTimestamp, in a bounded number of writes', async () => {
    const { store, clock, recorder } = setup();
    recorder.record(newRecord());
    const first = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    for (let i = 0; i < 99; i++) {
      clock.advance(1000);
      recorder.record(newRecord());
    }
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(store.writes.length, 1, 'only the create before the interval is over');
    await recorder.flush();
    assert.equal(store.writes.length, 2, store.writes.join(', '));
    const [e, ...others] = store.list();
    assert.equal(others.length, 0);
    assert.equal(e?.count, 100);
    assert.equal(e?.firstTimestamp, first);
    assert.equal(e?.lastTimestamp, clock.now().toISOString().replace(/\.\d+Z$/, 'Z'));
  });

  test('the pending count is written once the interval is over, without a flush', async () => {
    const { store, recorder } = setup(30);
    recorder.record(newRecord());
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 5; i++) recorder.record(newRecord());
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(store.list()[0]?.count, 6);
    assert.equal(store.writes.length, 2, store.writes.join(', '));
  });

  const separate: { name: string; other: Partial<EventRecord> }[] = [
    { name: 'another message', other: { message: 'Readiness probe failed: other' } },
    { name: 'another reason', other: { reason: 'BackOff' } },
    { name: 'another container', other: { fieldPath: 'spec.containers{sidecar}' } },
    { name: 'another pod (same name, new uid)', other: { object: { ...pod, metadata: { ...pod.metadata, uid: 'u2' } } } },
  ];
  for (const c of separate) {
    test(`${c.name} is an Event of its own`, async () => {
      const { store, recorder } = setup();
      recorder.record(newRecord());
      recorder.record(newRecord(c.other));
      await recorder.flush();
      assert.deepEqual(store.list().map((e) => e.count), [1, 1]);
    });
  }

  test('many different messages for one reason end up in one combined Event', async () => {
    const { store, recorder } = setup();
    for (let i = 1; i <= 15; i++) recorder.record(newRecord({ message: `Readiness probe failed: attempt ${i}` }));
    await recorder.flush();
    const events = store.list();
    assert.equal(events.length, 10);
    const combined = events.filter((e) => e.message.startsWith('(combined from similar events): '));
    assert.equal(combined.length, 1);
    assert.equal(combined[0]?.count, 6);
    assert.equal(combined[0]?.message, '(combined from similar events): Readiness probe failed: attempt 15');
  });

  test('an Event deleted meanwhile is created again with the whole count', async () => {
    const { store, recorder } = setup();
    recorder.record(newRecord());
    await recorder.flush();
    store.byName.clear();
    recorder.record(newRecord());
    await recorder.flush();
    assert.deepEqual(store.list().map((e) => e.count), [2]);
  });

  test('an Event whose creation seemed to fail but happened is updated, not created twice', async () => {
    const { store, recorder } = setup();
    store.loseNextAnswer = true;
    recorder.record(newRecord());
    await recorder.flush();
    recorder.record(newRecord());
    await recorder.flush();
    assert.deepEqual(store.list().map((e) => e.count), [2]);
  });

  test('failed writes are logged, never thrown, and later occurrences are written', async () => {
    const { store, recorder } = setup();
    store.failing = true;
    recorder.record(newRecord());
    await recorder.flush();
    assert.equal(store.list().length, 0);
    store.failing = false;
    recorder.record(newRecord());
    await recorder.flush();
    assert.deepEqual(store.list().map((e) => e.count), [2]);
  });

  test('after stop nothing is written', async () => {
    const { store, recorder } = setup();
    recorder.record(newRecord());
    await recorder.flush();
    recorder.record(newRecord());
    recorder.stop();
    recorder.record(newRecord());
    await recorder.flush();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(store.writes.length, 1);
  });
});

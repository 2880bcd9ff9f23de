/**
 * Shares one informer per resource among the controllers of a process, so N controllers
 * watching pods cost one watch.
 */
import { setMaxListeners } from 'node:events';
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../lib/log.js';
import { Informer } from './informer.js';
import type { ApiClient } from './rest.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private readonly controller = new AbortController();
  private readonly running: Promise<void>[] = [];
  private started = false;

  constructor(
    readonly client: ApiClient,
    private readonly log: Logger,
  ) {
    // Every informer's watch listens on this one signal; more than Node's default of 10 is expected.
    setMaxListeners(200, this.controller.signal);
  }

  /** The shared informer of a resource (`''`/`pods`, `apps`/`deployments`, ...). */
  informer<T extends KubeObject = KubeObject>(group: string, plural: string): Informer<T> {
    const key = `${group}/${plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      const info = findResource(group, plural);
      if (!info) throw new Error(`unknown resource ${key}`);
      informer = new Informer(this.client, info as ResourceInfo, this.log);
      this.informers.set(key, informer);
      if (this.started) this.running.push(informer.run(this.controller.signal));
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer (and any created later); resolves once all have listed. */
  async start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      for (const informer of this.informers.values()) this.running.push(informer.run(this.controller.signal));
    }
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.running);
  }
}

/**
 * What every controller is: started with its config and injected dependencies, it registers
 * handlers on shared informers at once, processes keys once those informers have synced, and
 * stops on request. Only the composing entry (cli/) starts the informer factory.
 */
import type { InformerFactory } from '../client/factory.js';
import type { ApiClient } from '../client/rest.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';

export interface ControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  log: Logger;
  clock: Clock;
}

export interface Controller {
  /** Resolves once the controller's informers have synced and its workers run. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

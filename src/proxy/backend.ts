/** What the service proxy asks of a dataplane backend (nftables or userspace), per node namespace. */
import type { NodePlan } from './planner.js';

export type ProxyMode = 'nftables' | 'userspace';

export interface ProxyBackend {
  readonly mode: ProxyMode;
  /**
   * Makes the node's dataplane follow `plan` and resolves once new connections do. Returns the
   * number of rules (nftables) or listeners (userspace) in effect, or undefined when nothing
   * had to change. Plans of unchanged Service ports are the same objects from sync to sync.
   */
  program(netns: string, plan: NodePlan): Promise<number | undefined>;
  /** New connections no longer reach `ip`: flows that have closed are forgotten. */
  unrouted(netns: string, ip: string): Promise<void>;
  /** A pod at `ip` has stopped: every flow to it is forgotten (the address may be reused). */
  forget(netns: string, ip: string): Promise<void>;
  stop(): Promise<void>;
}

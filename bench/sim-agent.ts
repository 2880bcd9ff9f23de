/**
 * The simulated nodes of the controllers benchmark, as their own process (so their memory is
 * counted apart): `node dist/bench/sim-agent.js KUBECONFIG CONFIG_JSON`. The CLI's `agent`
 * keeps the default pod CIDR (a /24 per node); 100,000 pods need a wider one, which this sets.
 * Prints `ready` on stdout once the nodes are registered; stops on SIGTERM.
 */
import { ApiClient } from '../src/client/rest.js';
import { InformerFactory } from '../src/client/factory.js';
import { credentialsFromKubeconfig } from '../src/client/kubeconfig.js';
import { startSimulatedNodes, type SimulatedNodesConfig } from '../src/agent/simulated/simulated-node.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/log.js';

async function main(kubeconfig: string, configJson: string): Promise<void> {
  const config = JSON.parse(configJson) as SimulatedNodesConfig;
  const log = createLogger({ level: 'warn', destination: 2 });
  const client = new ApiClient(credentialsFromKubeconfig(kubeconfig), 'switchboard-bench-nodes');
  const informers = new InformerFactory(client, log);
  const nodes = startSimulatedNodes(config, { client, informers, log, clock: systemClock });
  await informers.start();
  await nodes.ready;
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await nodes.stop();
  await informers.stop();
  client.close();
}

const [kubeconfig, configJson] = process.argv.slice(2);
if (!kubeconfig || !configJson) {
  process.stderr.write('usage: node dist/bench/sim-agent.js KUBECONFIG CONFIG_JSON\n');
  process.exit(2);
}
main(kubeconfig, configJson).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`sim-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

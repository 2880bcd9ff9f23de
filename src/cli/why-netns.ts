/**
 * Child of `switchboard why`, started inside a node's network namespace
 * (`nsenter --net=/run/netns/<node> -- node why-netns.js`): reads the checks as JSON on stdin,
 * runs them there, and writes `[key, result]` pairs as JSON on stdout.
 */
import { runChecks } from './why-net.js';
import type { Check } from './why-types.js';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  runChecks(JSON.parse(input) as Check[]).then(
    (results) => process.stdout.write(JSON.stringify(results)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
});

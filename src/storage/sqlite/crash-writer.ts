/**
 * Child process for the durability test: creates keys in a loop and prints each
 * acknowledged write as "<name> <revision>" until it is killed.
 * Usage: node --import tsx crash-writer.ts <database path> <first index>
 */
import { SqliteStore } from './store.js';

async function main(): Promise<void> {
  const [path, first] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: crash-writer.ts <path> [first index]');
  const store = SqliteStore.open({ path });
  for (let i = Number(first ?? 0); ; i++) {
    const name = `/registry/configmaps/default/cm-${i}`;
    const kv = await store.create(name, JSON.stringify({ i }));
    process.stdout.write(`${name} ${kv.modRevision}\n`);
  }
}

await main();

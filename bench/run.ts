/**
 * `npm run bench [-- scenario...]`: runs the named benchmark scenarios (all by default) and prints
 * their numbers. Servers run in their own processes on loopback; nothing here is a pass/fail test.
 */
import { benchFanout } from './fanout.ts';
import { benchGateway } from './gateway.ts';
import { benchRefusals } from './refusals.ts';
import { benchSandbox } from './sandbox.ts';

const scenarios: Record<string, () => Promise<unknown>> = {
  sandbox: () => benchSandbox(),
  gateway: () => benchGateway(),
  fanout: () => benchFanout(),
  refusals: () => benchRefusals(),
};

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length) {
  console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
for (const name of requested.length ? requested : Object.keys(scenarios)) {
  await scenarios[name]!();
}

/**
 * `npm run bench [-- scenario...] [--flag value]`: runs the named benchmark scenarios (all by default)
 * and prints their numbers. Servers run in their own processes on loopback; nothing here is a pass/fail
 * test. Flags (`--duration 5` or `--duration=5`, `--built`) go to the scenarios that take them.
 */
import { benchFanout, fanoutOptions } from './fanout.ts';
import { benchFaults, faultsOptions } from './faults.ts';
import { benchGateway } from './gateway.ts';
import { benchOverhead, overheadOptions } from './overhead.ts';
import { benchRefusals } from './refusals.ts';
import { benchReportPages, reportPagesOptions } from './report-pages.ts';
import { benchSandbox } from './sandbox.ts';

/** Flags that take a value (the next argument, unless given as `--flag=value`); any other flag is a switch. */
const VALUE_FLAGS = new Set(['duration', 'rounds', 'cpu-prof', 'dashboards', 'concurrency', 'redis-queries', 'part', 'subscribers', 'webhooks', 'spacing', 'clients', 'selection', 'rows', 'indexing', 'before', 'queries', 'processes', 'node-flags']);

const requested: string[] = [];
const flags: Record<string, string | true> = {};
const args = process.argv.slice(2);
for (let index = 0; index < args.length; index += 1) {
  const arg = args[index]!;
  const flag = /^--([^=]+)(?:=(.*))?$/.exec(arg);
  if (!flag) requested.push(arg);
  else if (flag[2] !== undefined) flags[flag[1]!] = flag[2];
  else if (VALUE_FLAGS.has(flag[1]!) && index + 1 < args.length) flags[flag[1]!] = args[++index]!;
  else flags[flag[1]!] = true;
}

const scenarios: Record<string, () => Promise<unknown>> = {
  sandbox: () => benchSandbox(),
  gateway: () => benchGateway(),
  fanout: () => benchFanout(fanoutOptions(flags)),
  refusals: () => benchRefusals(),
  overhead: () => benchOverhead(overheadOptions(flags)),
  faults: () => benchFaults(faultsOptions(flags)),
  'report-pages': () => benchReportPages(reportPagesOptions(flags)),
};

const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length) {
  console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
for (const name of requested.length ? requested : Object.keys(scenarios)) {
  await scenarios[name]!();
}

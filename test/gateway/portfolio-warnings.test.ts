/**
 * A portfolio read (20 accounts: 20 upstream calls in flight at once, each following the operation's
 * signal) is not a listener leak: no process warning is printed for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PORTFOLIO_QUERY } from '../../src/examples.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { gql, useGateway } from '../utils/gateway.ts';

describe('a portfolio of 20 accounts', () => {
  const context = useGateway();
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning);
  afterEach(() => void process.off('warning', onWarning));

  it('is read with no process warning (MaxListenersExceeded)', async () => {
    process.on('warning', onWarning);
    const ids = portfolioAccountIds(20_250_101, 20); // the sandbox's default seed
    const answer = await gql(context.gateway, PORTFOLIO_QUERY, { ids }, { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.accounts).toHaveLength(20);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    expect(warnings.map((warning) => warning.message)).toEqual([]);
  });
});

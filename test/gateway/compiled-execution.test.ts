/**
 * The gateway's own queries give the same answers and make the same Klarna calls whether they are run
 * by the standard executor (a document's first execution) or compiled (every later one): the
 * examples, a refusal by Klarna, and an error in one field beside data in another.
 */
import { describe, expect, it } from 'vitest';
import { CARD_QUERY, DASHBOARD_QUERY, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../../src/examples.ts';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const SEED = 7;
const MISSING = 'krn:partner:global:account:live:NOPE0000';

describe('compiled execution in the gateway', () => {
  const context = useGateway({ sandbox: { seed: SEED } });

  const cases: [string, string, Record<string, unknown>][] = [
    ['Dashboard', DASHBOARD_QUERY, {}],
    ['Portfolio', PORTFOLIO_QUERY, { ids: portfolioAccountIds(SEED, 5) }],
    ['Settlement', SETTLEMENT_QUERY, {}],
    ['Card', CARD_QUERY, {}],
    ['an account Klarna does not have', 'query Missing($id: ID!) { account(id: $id) { name } }', { id: MISSING }],
    ['an error beside data', 'query Both($id: ID!) { ok: account(id: "krn:partner:global:account:live:LWT2XJSE") { name } missing: account(id: $id) { name } }', { id: MISSING }],
  ];

  for (const [name, query, variables] of cases) {
    it(`answers ${name} the same the first time and once compiled, with the same calls`, async () => {
      // Another text of the same query first (its own document): what outlives a request (a settlement
      // report's row index) is then in place before the standard and the compiled runs are compared.
      await gql(context.gateway, `${query}\n`, variables);
      const runs = [];
      for (let i = 0; i < 3; i += 1) runs.push(await countCalls(context.sandbox, () => gql(context.gateway, query, variables)));
      const [first, ...later] = runs;
      expect(first!.result.status).toBe(200);
      for (const run of later) {
        expect(run.result.status).toBe(first!.result.status);
        expect(run.result.body).toEqual(first!.result.body);
        expect(run.byOperation).toEqual(first!.byOperation);
      }
    });
  }

  it('keeps the locations and codes of errors once compiled', async () => {
    const query = 'query Located($id: ID!) {\n  account(id: $id) { name }\n}';
    for (let i = 0; i < 2; i += 1) {
      const { body } = await gql(context.gateway, query, { id: MISSING });
      expect(body.errors).toEqual([expect.objectContaining({ path: ['account'], locations: [{ line: 2, column: 3 }], extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    }
  });
});

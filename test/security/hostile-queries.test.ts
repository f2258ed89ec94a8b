/**
 * What a GraphQL security scanner sends, with the default limits: each abusive document is refused
 * with its code and before any call to Klarna, or is harmless (one call at most). How fast the
 * refusals are is measured by `npm run bench -- refusals`, not here.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const codes = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.extensions?.code);
const repeat = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(' ');

/** Nested `fields { type { ... } }` under `__schema { types { ... } }`, `levels` lists deep. */
function circularIntrospection(levels: number): string {
  let selection = 'name';
  for (let level = 1; level < levels; level += 1) selection = `fields { type { ${selection} } }`;
  return `{ __schema { types { ${selection} } } }`;
}

describe('hostile queries', () => {
  const context = useGateway();

  async function refused(query: string, code: string) {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query));
    expect(codes(result), query.slice(0, 80)).toContain(code);
    expect(result.body.data ?? null).toBeNull();
    expect(total, 'upstream calls').toBe(0);
    return result;
  }

  it('refuses alias overloading (100 aliases of a Klarna read) with TOO_MANY_ALIASES', async () => {
    const result = await refused(`{ ${repeat(100, (i) => `a${i}: apiKeys { klarnaId }`)} }`, 'TOO_MANY_ALIASES');
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded, found 100/);
  });

  it('counts __typename aliases too: 100 are refused, 15 answered, neither with any call', async () => {
    const result = await refused(`{ ${repeat(100, (i) => `t${i}: __typename`)} }`, 'TOO_MANY_ALIASES');
    expect(result.body.errors?.[0]?.message).toMatch(/found 100/);
    const { result: allowed, total } = await countCalls(context.sandbox, () => gql(context.gateway, `{ ${repeat(15, (i) => `t${i}: __typename`)} }`));
    expect(allowed.body.data?.t14).toBe('Query');
    expect(total).toBe(0);
  });

  it('accepts as many aliases as the limit allows', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, `{ ${repeat(15, (i) => `a${i}: account(id: "${ACCOUNT}") { name }`)} }`));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.a14).toEqual({ name: 'Merchant ABC US' });
    expect(total).toBe(1); // the loader asks once for the same account
  });

  it('refuses directive overloading with TOO_MANY_DIRECTIVES', async () => {
    await refused(`{ account(id: "${ACCOUNT}") { name ${repeat(60, () => '@include(if: true)')} } }`, 'TOO_MANY_DIRECTIVES');
  });

  it('refuses a document of more than 1000 tokens with TOO_MANY_TOKENS', async () => {
    await refused(`{ account(id: "${ACCOUNT}") { ${repeat(1_200, () => 'name')} } }`, 'TOO_MANY_TOKENS');
  });

  it('refuses a selection nested deeper than 12 with QUERY_TOO_DEEP', async () => {
    let selection = 'name';
    for (let level = 0; level < 14; level += 1) selection = `account(id: "${ACCOUNT}") { ${selection} }`;
    await refused(`{ ${selection} }`, 'QUERY_TOO_DEEP');
  });

  it('refuses a fan-out planned over the call limit with QUERY_TOO_COSTLY, naming its planned calls', async () => {
    const ids = Array.from({ length: 100 }, (_, index) => `"krn:partner:global:account:live:FANOUT${index}"`).join(', ');
    const query = `{ accounts(ids: [${ids}]) { stores(first: 5) { edges { node { url } } } complianceDecisions(first: 5) { edges { node { type } } } } }`;
    const result = await refused(query, 'QUERY_TOO_COSTLY');
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ plannedCalls: 300, maxCalls: 200 });
    expect(result.body.errors?.[0]?.message).toMatch(/would make 300 calls to Klarna; at most 200/);
  });

  it('answers 100 store groups of 100 stores each with one call: page sizes are no cost when Klarna answers them in one', async () => {
    const query = `{ account(id: "${ACCOUNT}") { storeGroups(first: 100) { edges { node { stores(first: 100) { edges { node { id url type } } } } } } } }`;
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query));
    expect(result.body.errors).toBeUndefined();
    expect(total).toBe(1);
  });

  it('refuses an answer planned over the row limit with RESULT_TOO_LARGE', async () => {
    const query = `{ accounts(ids: ["${ACCOUNT}", "${ACCOUNT}"]) { storeGroups(first: 100) { edges { node { stores(first: 100) { edges { node { id } } } } } } } }`;
    const result = await refused(query, 'RESULT_TOO_LARGE');
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ plannedRows: 2 + 200 + 20_000, maxRows: 20_000 });
  });

  it('refuses circular introspection (graphql-js: GRAPHQL_VALIDATION_FAILED), and still answers GraphiQL-sized introspection', async () => {
    for (const levels of [8, 4]) {
      const result = await refused(circularIntrospection(levels), 'GRAPHQL_VALIDATION_FAILED');
      expect(result.body.errors?.[0]?.message).toBe('Maximum introspection depth exceeded');
    }
    const allowed = await gql(context.gateway, circularIntrospection(3));
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data?.__schema.types.length).toBeGreaterThan(50);
  });

  it('answers field duplication (500 times the same field) with one upstream call', async () => {
    const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, `{ account(id: "${ACCOUNT}") { ${repeat(500, () => 'name')} } }`));
    expect(result.body).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
    expect(total).toBe(1);
  });

  it('refuses a body over 1 MiB with REQUEST_TOO_LARGE (413)', async () => {
    const body = JSON.stringify({ query: `{ account(id: "${ACCOUNT}") { name } }`, variables: { padding: 'x'.repeat(1024 * 1024) } });
    const { result: response, total } = await countCalls(context.sandbox, () =>
      request(context.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body }),
    );
    const answer = (await response.body.json()) as GraphQLResult['body'];
    expect(response.statusCode).toBe(413);
    expect(answer.errors?.[0]?.extensions?.code).toBe('REQUEST_TOO_LARGE');
    expect(total).toBe(0);
  });

  it('refuses a batch of 11 operations with BATCH_TOO_LARGE (413), and answers a batch of 10', async () => {
    const batch = (count: number) =>
      request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(Array.from({ length: count }, (_, i) => ({ query: `query Q${i} { account(id: "${ACCOUNT}") { name } }` }))),
      });
    const { result: tooMany, total } = await countCalls(context.sandbox, () => batch(11));
    const body = (await tooMany.body.json()) as GraphQLResult['body'];
    expect(tooMany.statusCode).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('BATCH_TOO_LARGE');
    expect(total).toBe(0);

    const ten = await batch(10);
    const answers = (await ten.body.json()) as GraphQLResult['body'][];
    expect(ten.statusCode).toBe(200);
    expect(answers).toHaveLength(10);
    expect(answers.every((answer) => answer.data?.account?.name === 'Merchant ABC US')).toBe(true);
  });
});

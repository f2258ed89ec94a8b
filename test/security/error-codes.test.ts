/**
 * Every error the gateway answers carries a code the README documents. Here: variables that do not
 * fit their declared types (GraphQL's coercion errors, which come with no code of their own) are
 * BAD_USER_INPUT, in queries, mutations, subscriptions and batches, with no call to Klarna and
 * nothing applied; bad global ids are coded too; and every refusal code of the gateway is documented.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { encodeGlobalId } from '../../src/schema/global-ids.ts';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { REFUSAL_CODES } from '../../src/plugins/refusals.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { answerCodes, documentedErrorCodes } from '../utils/documented-codes.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';

const DOCUMENTED = documentedErrorCodes();
const lines: string[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
/** Log lines at level error (50) or above. */
const errorLines = () => lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg?: string }).filter((entry) => entry.level >= 50);

const ACCOUNT_QUERY = 'query ($id: ID!) { account(id: $id) { name } }';
const DISABLE = `mutation ($input: DisablePaymentProductInput!) { disablePaymentProduct(input: $input) { __typename } }`;
const DISABLE_INPUT = { accountId: DOCS_ACCOUNT_ID, reason: 'VOLUNTARY', reasonDetails: 'coercion test' };
const PROMISE = `mutation ($input: CreateCardPromiseInput!) { createCardPromise(input: $input) { __typename } }`;
const PROMISE_INPUT = { orderId: 'order-coercion-1', cards: [{ reference: 'card-1', amount: 100, currency: 'EUR' }] };

/** Documents with variables that do not fit their types, by what is wrong. */
const COERCION_CASES: [string, string, Record<string, unknown>][] = [
  ['a required variable missing', ACCOUNT_QUERY, {}],
  ['null for a required variable', ACCOUNT_QUERY, { id: null }],
  ['a float for an ID', ACCOUNT_QUERY, { id: 5.5 }],
  ['an object for an ID', ACCOUNT_QUERY, { id: { krn: DOCS_ACCOUNT_ID } }],
  ['a null item in a list of non-null ids', 'query ($ids: [ID!]!) { accounts(ids: $ids) { name } }', { ids: [DOCS_ACCOUNT_ID, null] }],
  ['a string for an Int', 'query ($id: ID!, $n: Int) { account(id: $id) { stores(first: $n) { edges { cursor } } } }', { id: DOCS_ACCOUNT_ID, n: 'ten' }],
  ['an Int beyond 32 bits', 'query ($id: ID!, $n: Int) { account(id: $id) { stores(first: $n) { edges { cursor } } } }', { id: DOCS_ACCOUNT_ID, n: 2 ** 40 }],
  ['a DateTime that is not one', 'query ($d: DateTime) { pricePlan(id: "krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf", merchantCategoryCode: "5499", dateTime: $d) { id } }', { d: 'yesterday' }],
  ['an enum value that does not exist', DISABLE, { input: { ...DISABLE_INPUT, reason: 'BORED' } }],
  ['an enum value in the wrong case', DISABLE, { input: { ...DISABLE_INPUT, reason: 'voluntary' } }],
  ['an unknown input field', DISABLE, { input: { ...DISABLE_INPUT, secretFlag: true } }],
  ['a required input field missing', DISABLE, { input: { accountId: DOCS_ACCOUNT_ID, reason: 'VOLUNTARY' } }],
  ['an input object given as a string', DISABLE, { input: JSON.stringify(DISABLE_INPUT) }],
  ['a Long that is not whole', PROMISE, { input: { ...PROMISE_INPUT, cards: [{ ...PROMISE_INPUT.cards[0], amount: 1.5 }] } }],
  ['a list item of the wrong shape', PROMISE, { input: { ...PROMISE_INPUT, cards: ['card-1'] } }],
];

describe('error codes', () => {
  const context = useGateway({ logger });

  it('answers variables that do not fit their types with BAD_USER_INPUT and no data, before any call and without applying anything', async () => {
    const ledger = await admin(context.sandbox, 'GET', '/ledger');
    lines.length = 0;
    for (const [what, query, variables] of COERCION_CASES) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query, variables));
      expect(total, what).toBe(0);
      expect(result.status, what).toBe(400);
      expect(result.body.data, what).toBeUndefined();
      expect(new Set(answerCodes(result.body)), what).toEqual(new Set(['BAD_USER_INPUT']));
      expect(result.body.errors?.[0]?.message, what).toMatch(/^Variable "\$\w+"/);
    }
    expect(await admin(context.sandbox, 'GET', '/ledger')).toEqual(ledger);
    expect(errorLines()).toEqual([]);
  });

  it('codes them in a batch, and in a subscription over server-sent events', async () => {
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([
        { query: ACCOUNT_QUERY, variables: { id: 1.5 } },
        { query: ACCOUNT_QUERY, variables: { id: DOCS_ACCOUNT_ID } },
      ]),
    });
    const [refused, answered] = (await response.body.json()) as { data?: unknown; errors?: unknown[] }[];
    expect(answerCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(answered).toEqual({ data: { account: { name: 'Merchant ABC US' } } });

    const events = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription ($types: [KlarnaEventType!]) { klarnaEvents(types: $types) { id } }', variables: { types: ['NO_SUCH_TYPE'] } }),
    });
    const text = await events.body.text();
    expect(text).toContain('"code":"BAD_USER_INPUT"');
    expect(text).not.toContain('"data"');
  });

  it('codes bad global ids: malformed ones BAD_USER_INPUT, those of a type node cannot read NOT_FOUND (also in nodes)', async () => {
    const ids = ['not a global id', encodeGlobalID('Nope', 'x'), encodeGlobalID('VirtualCard', 'f3392f8b-6116-4073-ab96-e330819e2c07'), encodeGlobalID('Account', DOCS_ACCOUNT_ID)];
    const single = await Promise.all(ids.slice(0, 3).map((id) => gql(context.gateway, 'query ($id: ID!) { node(id: $id) { id } }', { id })));
    expect(single.map((result) => answerCodes(result.body))).toEqual([['BAD_USER_INPUT'], ['NOT_FOUND'], ['NOT_FOUND']]);
    const several = await gql(context.gateway, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids.slice(1) });
    expect(answerCodes(several.body)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    // An id of the old form is read, and answered with the id in the form handed out now.
    expect(several.body.data?.nodes).toEqual([null, null, { id: encodeGlobalId('Account', DOCS_ACCOUNT_ID) }]);
    for (const result of [...single, several]) {
      // What Pothos would have said, unmasked and without a code: never.
      expect(JSON.stringify(result.body)).not.toMatch(/Invalid global ID|has not been implemented|does not support loading by id/);
    }
  });

  it('documents every refusal code of the gateway in the README', () => {
    for (const code of [...REFUSAL_CODES, 'UNSUPPORTED_MEDIA_TYPE', 'GRAPHIQL_DISABLED', 'PERSISTED_QUERY_ID_REQUIRED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_HASH_MISMATCH', 'PERSISTED_QUERY_ONLY', 'OPERATION_RESOLUTION_FAILURE']) {
      expect(DOCUMENTED.has(code), code).toBe(true);
    }
  });
});

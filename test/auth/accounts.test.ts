/**
 * Accounts in token mode: a token names the partner accounts it may touch. Asking for another one
 * (by `account`, `accounts`, a node id, a mutation's `accountId`, a portal grant's account) answers
 * FORBIDDEN without any upstream call, although Klarna would let the gateway's key read it (both
 * accounts belong to the demo partner). What belongs to no single account (settlements, card orders,
 * credentials) needs a token for every account (`"*"`), which then reads it.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DOCS_CARD_SAMPLE } from '../../src/sandbox/seed/cards.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { DOCS_SETTLEMENT_ID } from '../../src/sandbox/seed/docs-settlements.ts';
import { LARGE_STORE_ACCOUNT_ID } from '../../src/sandbox/seed/portfolio.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';
import { bearer, TOKEN_ENV } from '../utils/tokens.ts';

const OWN = DOCS_ACCOUNT_ID;
const OTHER = LARGE_STORE_ACCOUNT_ID;
const OUTCOME = '__typename ... on UserError { code message }';
const BRAND_IDS = `query($id: ID!) { account(id: $id) { id brands(first: 1) { edges { node { id } } } } }`;

const codes = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.extensions?.code);

describe('account restrictions', () => {
  const env = useGateway({ env: TOKEN_ENV });
  /** An operator token for the docs account only, an admin one likewise, and one for every account. */
  const limited = () => bearer({ role: 'operator', accounts: [OWN], sub: 'limited' });
  const limitedAdmin = () => bearer({ role: 'admin', accounts: [OWN], sub: 'limited-admin' });
  const everything = () => bearer({ role: 'admin', accounts: '*', sub: 'everything' });

  async function run(headers: Promise<Record<string, string>>, query: string, variables: Record<string, unknown> = {}) {
    const resolved = await headers;
    return countCalls(env.sandbox, () => gql(env.gateway, query, variables, resolved));
  }

  it('reads the accounts the token names, and refuses others by id without a call', async () => {
    const own = await run(limited(), `query($id: ID!) { account(id: $id) { klarnaId } }`, { id: OWN });
    expect(own.result.body.data.account.klarnaId).toBe(OWN);

    const other = await run(limited(), `query($id: ID!) { account(id: $id) { klarnaId } }`, { id: OTHER });
    expect(other.result.body.data).toEqual({ account: null });
    expect(other.result.body.errors?.[0]).toMatchObject({ path: ['account'], extensions: { code: 'FORBIDDEN' } });
    expect(other.result.body.errors?.[0]?.message).toBe(`Your token does not grant access to the account ${OTHER}.`);
    expect(other.total).toBe(0);

    const both = await run(limited(), `query($ids: [ID!]!) { accounts(ids: $ids) { klarnaId } }`, { ids: [OWN, OTHER] });
    expect(codes(both.result)).toEqual(['FORBIDDEN']);
    expect(both.total).toBe(0);

    const unrestricted = await run(everything(), `query($id: ID!) { account(id: $id) { klarnaId } }`, { id: OTHER });
    expect(unrestricted.result.body.data.account.klarnaId).toBe(OTHER);
  });

  it('refuses node ids of another account and its sub-resources without a call', async () => {
    const ids = async (accountId: string) => {
      const { body } = await gql(env.gateway, BRAND_IDS, { id: accountId }, await everything());
      return { account: body.data.account.id as string, brand: body.data.account.brands.edges[0].node.id as string };
    };
    const [own, other] = [await ids(OWN), await ids(OTHER)];
    const node = `query($id: ID!) { node(id: $id) { id } }`;

    const ownBrand = await run(limited(), node, { id: own.brand });
    expect(ownBrand.result.body.data.node.id).toBe(own.brand);
    for (const id of [other.account, other.brand]) {
      const { result, total } = await run(limited(), node, { id });
      expect(codes(result), id).toEqual(['FORBIDDEN']);
      expect(total, id).toBe(0);
    }
    const mixed = await run(limited(), `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [own.brand, other.brand] });
    expect(codes(mixed.result)).toEqual(['FORBIDDEN']);
    expect(mixed.total).toBe(0);
  });

  it("answers ForbiddenError to writes on another account's resources without a call", async () => {
    const update = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { ${OUTCOME} ... on UpdateAccountPayload { account { reference } } } }`;
    const refused = await run(limited(), update, { input: { accountId: OTHER, reference: 'not-mine' } });
    expect(refused.result.body.data.updateAccount).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN', message: `Your token does not grant access to the account ${OTHER}.` });
    expect(refused.total).toBe(0);

    const allowed = await run(limited(), update, { input: { accountId: OWN, reference: 'mine-to-change' } });
    expect(allowed.result.body.data.updateAccount).toEqual({ __typename: 'UpdateAccountPayload', account: { reference: 'mine-to-change' } });

    const grant = `mutation($input: GrantPortalAccessInput!) { grantPortalAccess(input: $input) { ${OUTCOME} } }`;
    const jwt = await new SignJWT({ account_id: OTHER, roles: ['merchant:admin'] }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
    const revoke = `mutation($input: RevokePortalAccessInput!) { revokePortalAccess(input: $input) { ${OUTCOME} } }`;
    for (const [query, input] of [[grant, { jwt }], [revoke, { accountId: OTHER }], [revoke, { principal: 'ops@example.com' }]] as const) {
      const { result, total } = await run(limitedAdmin(), query, { input });
      expect(Object.values(result.body.data as object)[0], JSON.stringify(input)).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      expect(total, JSON.stringify(input)).toBe(0);
    }
  });

  it('refuses a limited token what belongs to no single account, and serves it to a token for every account', async () => {
    const reads: [string, Record<string, unknown>][] = [
      [`query($id: ID!) { settlement(id: $id) { klarnaId } }`, { id: DOCS_SETTLEMENT_ID }],
      [`query($id: ID!) { cardOrder(orderId: $id) { cancellation { status } } }`, { id: DOCS_CARD_SAMPLE.orderId }],
      [`{ apiKeys { klarnaId } }`, {}],
    ];
    for (const [query, variables] of reads) {
      const refused = await run(limitedAdmin(), query, variables);
      expect(codes(refused.result), query).toEqual(['FORBIDDEN']);
      expect(refused.result.body.errors?.[0]?.message).toContain('your token is limited to some accounts');
      expect(refused.total, query).toBe(0);
      const served = await run(everything(), query, variables);
      expect(served.result.body.errors, query).toBeUndefined();
      expect(served.total, query).toBeGreaterThan(0);
    }
    const createKey = await run(limitedAdmin(), `mutation { createApiKey(input: {}) { ${OUTCOME} } }`);
    expect(createKey.result.body.data.createApiKey).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(createKey.total).toBe(0);
  });

  it('serves reference data to any token, even one with no accounts', async () => {
    const { result } = await run(bearer({ role: 'viewer', accounts: [], sub: 'no-accounts' }), `{ paymentProfiles { id } pricePlans { id } }`);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.paymentProfiles.length).toBeGreaterThan(0);
  });
});

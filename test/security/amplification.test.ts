/**
 * No amplification: one HTTP request (a batch too) is one call allowance and stops calling Klarna at
 * its first 401; junk credentials are limited per client address; subscription setups are counted by
 * the rate limit, and open subscriptions are capped per connection and per principal.
 */
import { createClient, type Client } from 'graphql-ws';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientAddress } from '../../src/plugins/auth-failures.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import type { RunningGateway } from '../../src/server.ts';
import { subscribe, subscribed } from '../utils/events.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';
import { admin, waitingUpstream } from '../utils/sandbox.ts';
import { bearer, signToken, TOKEN_ENV } from '../utils/tokens.ts';

const ACCOUNT = `{ account(id: "${DOCS_ACCOUNT_ID}") { name } }`;
const CREATE_KEY = 'mutation { createApiKey(input: { description: "amplification test" }) { ... on CreateApiKeyPayload { secret credential { klarnaId } } } }';
const codes = (result: Pick<GraphQLResult, 'body'>) => (result.body.errors ?? []).map((error) => error.extensions?.code);
const missing = (i: number) => `krn:partner:global:account:live:NOSUCH0${i}`;

/** Fixed one-minute windows: start a test well inside one, so its requests share a window. */
async function insideOneWindow(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

/** POSTs a batch (a JSON array of operations) to the gateway. */
async function batch(gateway: Pick<RunningGateway, 'graphqlUrl'>, operations: { query: string; variables?: Record<string, unknown> }[], headers: Record<string, string> = {}) {
  const response = await request(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(operations),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as GraphQLResult['body'] | GraphQLResult['body'][] };
}

/** A new API key of the demo partner (it authenticates at once). */
async function newKey(gateway: Pick<RunningGateway, 'graphqlUrl'>) {
  const { secret, credential } = (await gql(gateway, CREATE_KEY)).body.data.createApiKey as { secret: string; credential: { klarnaId: string } };
  return { id: credential.klarnaId, headers: { authorization: `Basic ${secret}` } };
}

describe('one call allowance per HTTP request', () => {
  const env = useGateway({ env: { MAX_UPSTREAM_CALLS_PER_OPERATION: '3' } });

  it('spans every operation of a batch: two operations of two calls each make three, not four', async () => {
    const operations = [0, 2].map((first) => ({ query: 'query($ids: [ID!]!) { accounts(ids: $ids) { id } }', variables: { ids: [missing(first + 1), missing(first + 2)] } }));
    const { result, byOperation } = await countCalls(env.sandbox, () => batch(env.gateway, operations));
    expect(byOperation.getAccount).toBe(3);
    const answers = result.body as GraphQLResult['body'][];
    expect(answers.flatMap((answer) => codes({ body: answer })).filter((code) => code === 'UPSTREAM_CALL_LIMIT')).toHaveLength(1);
  });
});

describe("a request's first 401 from Klarna", () => {
  const env = useGateway();
  const RENAME = (alias: string, name: string) => `${alias}: updateAccount(input: { accountId: "${DOCS_ACCOUNT_ID}", name: "${name}" }) { __typename }`;

  // (Within one operation the same allowance is asked: test/unit/operation-budget.test.ts.)
  it('stops the whole batch: another operation of the request calls Klarna no more', async () => {
    const key = await newKey(env.gateway);
    await admin(env.sandbox, 'DELETE', '/counters');
    await admin(env.sandbox, 'POST', '/faults', { operationId: 'updateAccount', hold: true, times: 1 });
    // x is held at Klarna (its credentials accepted); meanwhile the other operation meets a 401.
    const answer = batch(
      env.gateway,
      [
        { query: `mutation { ${RENAME('x', 'First rename')} ${RENAME('y', 'Second rename')} }` },
        { query: 'mutation($key: ID!) { d: disableApiKey(input: { credentialId: $key }) { __typename } }', variables: { key: key.id } },
      ],
      key.headers,
    );
    await until(async () => (await waitingUpstream(env.sandbox)) === 1);
    await until(async () => ((await admin(env.sandbox, 'GET', '/counters')).byOperation.getApiKey?.byStatus?.['401'] ?? 0) === 1);
    await admin(env.sandbox, 'POST', '/faults/release');
    const [renames] = (await answer).body as GraphQLResult['body'][];
    const counters = await admin(env.sandbox, 'GET', '/counters');
    expect(counters.byOperation.updateAccount.total).toBe(1); // x only: y was never sent
    expect(renames?.errors?.find((error) => error.path?.[0] === 'y')?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

/** Polls `check` until it holds (a state to reach, not a time to wait). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('never reached');
}

describe('failed authentications per client address (passthrough)', () => {
  const env = useGateway({ env: { AUTH_FAILURES_PER_MINUTE: '3' } });

  it('refuses an address RATE_LIMITED, without calling Klarna, after three requests Klarna refused', async () => {
    await insideOneWindow();
    expect(codes(await gql(env.gateway, ACCOUNT, {}, { authorization: 'Basic junk-1' }))).toEqual(['UNAUTHENTICATED']);
    // A batch is one request: one failure, however many operations met the 401.
    const junkBatch = await batch(env.gateway, [{ query: ACCOUNT }, { query: '{ paymentProfiles { id } }' }], { authorization: 'Basic junk-2' });
    expect((junkBatch.body as GraphQLResult['body'][]).flatMap((answer) => codes({ body: answer }))).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(codes(await gql(env.gateway, ACCOUNT, {}, { authorization: 'Basic junk-3' }))).toEqual(['UNAUTHENTICATED']);

    for (const authorization of ['Basic junk-4', `Basic ${DEMO_CREDENTIALS.apiKey}`]) {
      const { result, total } = await countCalls(env.sandbox, () => gql(env.gateway, ACCOUNT, {}, { authorization }));
      expect(total).toBe(0);
      expect(result.status).toBe(429);
      expect(codes(result)).toEqual(['RATE_LIMITED']);
      expect(result.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    }
    // A WebSocket from that address is closed with 1013 (try again later), its credentials unchecked.
    const { result: closeCode, total } = await countCalls(env.sandbox, () => subscribe(env.gateway, 'subscription { settlementReportCreated { id } }').waitUntilClosed());
    expect(closeCode).toBe(1013);
    expect(total).toBe(0);
  });
});

describe('failed authentications per client address (token mode, behind one trusted proxy)', () => {
  const env = useGateway({ env: { ...TOKEN_ENV, AUTH_FAILURES_PER_MINUTE: '2', TRUSTED_PROXY_HOPS: '1' } });
  const from = (address: string) => ({ 'x-forwarded-for': `198.51.100.99, ${address}` });

  it('counts refused tokens by the address the proxy saw, and refuses that address only', async () => {
    await insideOneWindow();
    const forged = `Bearer ${await signToken({ secret: 'another-secret-that-is-also-32-characters-long' })}`;
    for (let i = 0; i < 2; i += 1) expect(codes(await gql(env.gateway, ACCOUNT, {}, { authorization: forged, ...from('203.0.113.7') }))).toEqual(['UNAUTHENTICATED']);
    const valid = await bearer();
    const blocked = await gql(env.gateway, ACCOUNT, {}, { ...valid, ...from('203.0.113.7') });
    expect(blocked.status).toBe(429);
    expect(codes(blocked)).toEqual(['RATE_LIMITED']);
    expect((await gql(env.gateway, ACCOUNT, {}, { ...valid, ...from('203.0.113.8') })).body.errors).toBeUndefined();
  });
});

describe('client address', () => {
  const peer = (forwarded?: string) => ({ socket: { remoteAddress: '10.0.0.1' }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} });

  it('is the peer, or behind trusted proxies the entry the outermost of them added', () => {
    expect(clientAddress(peer('1.1.1.1, 203.0.113.7'), 0)).toBe('10.0.0.1');
    expect(clientAddress(peer('1.1.1.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(peer('1.1.1.1, 203.0.113.7'), 2)).toBe('1.1.1.1');
    expect(clientAddress(peer('203.0.113.7'), 3)).toBe('203.0.113.7');
    expect(clientAddress(peer(), 1)).toBe('10.0.0.1');
  });
});

/** One graphql-ws connection carrying several subscriptions. */
function connect(gateway: Pick<RunningGateway, 'graphqlUrl'>, authorization = `Basic ${DEMO_CREDENTIALS.apiKey}`): Client {
  return createClient({ url: gateway.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization } });
}

/** Subscribes on `client`; `first` resolves with the first result (a refusal arrives as one), `stop` completes it. */
function open(client: Client, query = 'subscription { settlementReportCreated { id } }') {
  let resolveFirst!: (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => void;
  const first = new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>((resolve) => (resolveFirst = resolve));
  // A refusal before the operation runs arrives as graphql-ws's `error` message: a list of errors.
  const refused = (error: unknown) => resolveFirst({ errors: Array.isArray(error) ? error : [{ extensions: { error: String(error) } }] });
  const stop = client.subscribe({ query }, { next: (result) => resolveFirst(result), error: refused, complete: () => undefined });
  return { first, stop };
}
const firstCode = async (subscription: ReturnType<typeof open>) => (await subscription.first).errors?.[0]?.extensions?.code;

describe('subscription setups and the rate limit', () => {
  const env = useGateway({ env: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('counts each subscription setup: the fourth of a minute is RATE_LIMITED, without calling Klarna', async () => {
    await insideOneWindow();
    const client = connect(env.gateway);
    for (let i = 1; i <= 3; i += 1) {
      open(client);
      await subscribed(env.gateway, i);
    }
    const { result: fourth, total } = await countCalls(env.sandbox, () => firstCode(open(client)));
    expect(fourth).toBe('RATE_LIMITED');
    expect(total).toBe(0);
    await client.dispose();
  });
});

describe('open subscriptions per connection and per principal', () => {
  const env = useGateway({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_SUBSCRIPTIONS_PER_PRINCIPAL: '3' } });

  it('refuses a third subscription on one connection, and takes one again once another completed', async () => {
    const client = connect(env.gateway);
    const kept = open(client);
    const completed = open(client);
    await subscribed(env.gateway, 2);
    const { result: third, total } = await countCalls(env.sandbox, () => firstCode(open(client)));
    expect(third).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(total).toBe(0);
    completed.stop();
    await subscribed(env.gateway, 1);
    open(client);
    await subscribed(env.gateway, 2);
    kept.stop();
    await client.dispose();
    await subscribed(env.gateway, 0);
  });

  it("refuses a principal's fourth subscription over any connections, not another principal's", async () => {
    const [a, b, other] = [connect(env.gateway), connect(env.gateway), connect(env.gateway, `Basic ${DEMO_CREDENTIALS.otherApiKey}`)];
    open(a);
    open(a);
    const onB = open(b);
    await subscribed(env.gateway, 3);
    expect(await firstCode(open(b))).toBe('TOO_MANY_SUBSCRIPTIONS');
    open(other);
    await subscribed(env.gateway, 4);
    onB.stop();
    await subscribed(env.gateway, 3);
    open(b);
    await subscribed(env.gateway, 4);
    await Promise.all([a, b, other].map((client) => client.dispose()));
    await subscribed(env.gateway, 0);
  });
});

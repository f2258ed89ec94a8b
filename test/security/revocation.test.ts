/**
 * Revocation reaches what the gateway keeps beyond a request: a principal's cached answers (the
 * response cache, in process and in Redis, and the reference data cache) are dropped when it disables
 * its own API key or revokes a client certificate, and when Klarna refuses its credentials; so a
 * disabled key is answered UNAUTHENTICATED, never from the cache.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { DOCS_CREDENTIAL_IDS } from '../../src/sandbox/seed/docs-credentials.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { subscribe } from '../utils/events.ts';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';
import { connectRedis, deleteKeys, redisAvailable, redisKeyPrefix, REDIS_URL } from '../utils/redis.ts';
import { useSandbox } from '../utils/sandbox.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';

const ACCOUNT = `{ account(id: "${DOCS_ACCOUNT_ID}") { id name } }`;
const STATE = `{ account(id: "${DOCS_ACCOUNT_ID}") { id state } }`;
const PROFILES = '{ paymentProfiles { id } }';
const SUBSCRIPTION = 'subscription { settlementReportCreated { id } }';
const CREATE_KEY = 'mutation { createApiKey(input: { description: "revocation test" }) { ... on CreateApiKeyPayload { secret credential { klarnaId } } } }';
const DISABLE_KEY = 'mutation($id: ID!) { disableApiKey(input: { credentialId: $id }) { __typename } }';
const REVOKE_CERTIFICATE =
  'mutation($id: ID!, $from: DateTime!) { revokeClientCertificate(input: { credentialId: $id, revokedFrom: $from }) { __typename } }';

const codes = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.extensions?.code);

/** A new API key of the demo partner (it authenticates at once), created through the gateway with the demo key. */
async function newKey(gateway: Pick<RunningGateway, 'graphqlUrl'>): Promise<{ id: string; headers: { authorization: string } }> {
  const created = await gql(gateway, CREATE_KEY);
  const { secret, credential } = created.body.data.createApiKey as { secret: string; credential: { klarnaId: string } };
  return { id: credential.klarnaId, headers: { authorization: `Basic ${secret}` } };
}

/** The scenarios, for a gateway with the response cache on (in process or in Redis). */
function revocationScenarios(context: () => { gateway: Pick<RunningGateway, 'graphqlUrl'>; sandbox: Sandbox }) {
  it('answers UNAUTHENTICATED, not the cached answer, once the caller has disabled its own key', async () => {
    const { gateway, sandbox } = context();
    const key = await newKey(gateway);
    expect((await gql(gateway, ACCOUNT, {}, key.headers)).body.data?.account?.name).toBeTruthy();
    expect((await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers))).total).toBe(0); // cached

    await gql(gateway, DISABLE_KEY, { id: key.id }, key.headers);

    const after = await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers));
    expect(after.result.body.data?.account ?? null).toBeNull();
    expect(codes(after.result)).toEqual(['UNAUTHENTICATED']);
    expect(after.byOperation.getAccount).toBe(1); // asked Klarna, which refused
  });

  it('drops what a key had cached once Klarna refuses it, also when another key disabled it', async () => {
    const { gateway, sandbox } = context();
    const key = await newKey(gateway);
    expect((await gql(gateway, ACCOUNT, {}, key.headers)).body.errors).toBeUndefined();
    expect((await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers))).total).toBe(0); // cached

    await gql(gateway, DISABLE_KEY, { id: key.id }); // by the demo key: the gateway cannot know whose key that is
    expect(codes(await gql(gateway, STATE, {}, key.headers))).toEqual(['UNAUTHENTICATED']); // not cached: Klarna refuses

    const after = await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers));
    expect(codes(after.result)).toEqual(['UNAUTHENTICATED']);
    expect(after.total).toBe(1);
  });

  it("drops the caller's cached answers when it revokes a client certificate", async () => {
    const { gateway, sandbox } = context();
    const key = await newKey(gateway);
    await gql(gateway, ACCOUNT, {}, key.headers);
    expect((await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers))).total).toBe(0);

    const from = new Date(Date.now() + 3_600_000).toISOString(); // later: the certificate stays usable
    const revoked = await gql(gateway, REVOKE_CERTIFICATE, { id: DOCS_CREDENTIAL_IDS.clientCertificate, from }, key.headers);
    expect(revoked.body.data?.revokeClientCertificate?.__typename).toBe('CredentialPayload');

    const after = await countCalls(sandbox, () => gql(gateway, ACCOUNT, {}, key.headers));
    expect(after.total).toBe(1);
    expect(after.result.body.errors).toBeUndefined();
  });
}

describe('revocation with the response cache in process', () => {
  const env = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '60000' } });
  revocationScenarios(() => env);

  it('serves no reference data to a disabled key (payment profiles are cached per principal for a minute)', async () => {
    const key = await newKey(env.gateway);
    expect((await gql(env.gateway, PROFILES, {}, key.headers)).body.errors).toBeUndefined();
    await gql(env.gateway, DISABLE_KEY, { id: key.id }, key.headers);
    const after = await gql(env.gateway, PROFILES, {}, key.headers);
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('revocation without the response cache', () => {
  const env = useGateway();

  it('serves no cached reference data to a disabled key', async () => {
    const key = await newKey(env.gateway);
    expect((await gql(env.gateway, PROFILES, {}, key.headers)).body.errors).toBeUndefined(); // cached for a minute
    await gql(env.gateway, DISABLE_KEY, { id: key.id }, key.headers);
    const again = await countCalls(env.sandbox, () => gql(env.gateway, PROFILES, {}, key.headers));
    expect(codes(again.result)).toEqual(['UNAUTHENTICATED']);
    expect(again.total).toBe(1);
  });

  it('closes the WebSocket of a disabled key with 4403, though its credentials check was cached as reference data', async () => {
    const key = await newKey(env.gateway);
    const before = subscribe(env.gateway, SUBSCRIPTION, {}, key.headers);
    await before.connected; // the check (payment profiles) is now cached for this principal
    await before.dispose();
    await gql(env.gateway, DISABLE_KEY, { id: key.id }, key.headers);
    const after = subscribe(env.gateway, SUBSCRIPTION, {}, key.headers);
    expect(await after.waitUntilClosed()).toBe(4403);
  });
});

const available = await redisAvailable();

describe.skipIf(!available)('revocation with the response cache in Redis', () => {
  const sandboxContext = useSandbox({ accounts: 1 });
  const prefix = redisKeyPrefix(fileURLToPath(import.meta.url));
  let gateway: RunningGateway | undefined;
  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: prefix, RESPONSE_CACHE_TTL_MS: '60000' });
    const { sandbox } = sandboxContext;
    gateway = await startGateway(config, { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` }, { logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await gateway?.close();
    const redis = connectRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  revocationScenarios(() => ({ gateway: gateway!, sandbox: sandboxContext.sandbox }));
});

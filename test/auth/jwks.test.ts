/**
 * Token mode against an identity provider's JSON Web Key Set (a real HTTP server here): RS256 tokens
 * verify against the published key, claim names are configurable, HMAC tokens (the "algorithm
 * confusion" attack) and tokens signed with an unpublished key are refused, and an unreachable key set
 * answers 503 UPSTREAM_UNAVAILABLE rather than blaming the caller.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { countCalls, gql } from '../utils/gateway.ts';
import { signToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../utils/tokens.ts';

const ROLE_CLAIM = 'https://gateway.example.test/role';
const ACCOUNTS_CLAIM = 'https://gateway.example.test/accounts';
const QUERY = '{ paymentProfiles { id } }';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rs256(key: CryptoKey, claims: Record<string, unknown>, kid = 'key-1') {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setSubject('svc-1').setExpirationTime('5m').sign(key);
}

describe('token authentication with a JWKS', () => {
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  let unreachable: RunningGateway;
  let keys: { privateKey: CryptoKey; publicKey: CryptoKey };
  let jwksFetches = 0;
  const jwks = createServer();

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const published = { ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks.on('request', (_request, response) => {
      jwksFetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [published] }));
    });
    const jwksUrl = `${await listen(jwks)}/.well-known/jwks.json`;
    // A port nothing listens on: listen, note it, close.
    const closed = createServer();
    const closedUrl = `${await listen(closed)}/jwks.json`;
    await new Promise((resolve) => closed.close(resolve));

    sandbox = await startSandbox({ accounts: 3 });
    const start = (jwksAt: string) =>
      startGateway(
        loadConfig({
          NODE_ENV: 'test',
          PORT: '0',
          AUTH_MODE: 'token',
          AUTH_JWKS_URL: jwksAt,
          AUTH_ISSUER: TOKEN_ISSUER,
          AUTH_AUDIENCE: TOKEN_AUDIENCE,
          AUTH_ROLE_CLAIM: ROLE_CLAIM,
          AUTH_ACCOUNTS_CLAIM: ACCOUNTS_CLAIM,
        }),
        { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
        { logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) },
      );
    gateway = await start(jwksUrl);
    unreachable = await start(closedUrl);
  });

  afterAll(async () => {
    await gateway?.close();
    await unreachable?.close();
    await sandbox?.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const ask = (target: RunningGateway, token: string) => countCalls(sandbox, () => gql(target, QUERY, {}, { authorization: `Bearer ${token}` }));

  it('accepts an RS256 token signed with the published key, reading the configured claims', async () => {
    const { result, total } = await ask(gateway, await rs256(keys.privateKey, { [ROLE_CLAIM]: 'viewer', [ACCOUNTS_CLAIM]: '*' }));
    expect(result.status).toBe(200);
    expect(result.body.data?.paymentProfiles.length).toBeGreaterThan(0);
    expect(total).toBe(1);
    expect(jwksFetches).toBeGreaterThan(0);
  });

  it('reads the role from the configured claim only', async () => {
    const { result, total } = await ask(gateway, await rs256(keys.privateKey, { role: 'admin', accounts: '*' }));
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.message).toContain(`\`${ROLE_CLAIM}\` claim must be one of`);
    expect(total).toBe(0);
  });

  it('refuses an HMAC token and a token signed with a key the provider does not publish', async () => {
    const stranger = await generateKeyPair('RS256');
    const cases: [string, string][] = [
      [await signToken({ claims: { [ROLE_CLAIM]: 'admin', [ACCOUNTS_CLAIM]: '*' } }), 'signing algorithm is not accepted'],
      [await rs256(stranger.privateKey, { [ROLE_CLAIM]: 'admin', [ACCOUNTS_CLAIM]: '*' }), 'signature is not valid'],
    ];
    for (const [token, says] of cases) {
      const { result, total } = await ask(gateway, token);
      expect(result.status, says).toBe(401);
      expect(result.body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      expect(result.body.errors?.[0]?.message).toContain(says);
      expect(total, says).toBe(0);
    }
  });

  it('answers 503 UPSTREAM_UNAVAILABLE when the key set cannot be read', async () => {
    const { result, total } = await ask(unreachable, await rs256(keys.privateKey, { [ROLE_CLAIM]: 'viewer', [ACCOUNTS_CLAIM]: '*' }));
    expect(result.status).toBe(503);
    expect(result.body.errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(result.body.errors?.[0]?.message).toContain('signing keys could not be read');
    expect(total).toBe(0);
  });
});

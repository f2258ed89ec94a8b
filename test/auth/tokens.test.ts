/**
 * Token mode's front door: a request without a valid token (missing, Klarna credentials instead,
 * expired, for another audience or issuer, unsigned, wrongly signed, without a usable role or
 * accounts claim) is refused with 401 UNAUTHENTICATED before anything runs, so no upstream call; the
 * same query with a valid token is answered.
 */
import { describe, expect, it } from 'vitest';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';
import { bearer, signToken, TOKEN_AUDIENCE, TOKEN_ENV, TOKEN_ISSUER, unsignedToken } from '../utils/tokens.ts';

const QUERY = '{ paymentProfiles { id } }';
const nowS = () => Math.floor(Date.now() / 1000);

/** Expects `result` to be a refusal of the whole request, with a message containing `says`. */
function expectRefused(result: GraphQLResult, says: string) {
  expect(result.status).toBe(401);
  expect(result.headers['www-authenticate']).toBe('Bearer');
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  expect(result.body.errors?.[0]?.message).toContain(says);
}

describe('token authentication', () => {
  const env = useGateway({ env: TOKEN_ENV });

  /** Sends QUERY with `headers`, counting the upstream calls it made. */
  const ask = (headers: Record<string, string>) => countCalls(env.sandbox, () => gql(env.gateway, QUERY, {}, headers));

  it('answers a valid token', async () => {
    const { result, total } = await ask(await bearer({ role: 'viewer', accounts: [] }));
    expect(result.status).toBe(200);
    expect(result.body.data?.paymentProfiles.length).toBeGreaterThan(0);
    expect(total).toBe(1);
  });

  it('refuses a request without a token, or with Klarna credentials, before any upstream call', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'Send `Authorization: Bearer <token>`'],
      [{ authorization: `Basic ${env.sandbox.credentials.apiKey}` }, 'not Klarna credentials'],
      [{ authorization: 'Bearer' }, 'not Klarna credentials'],
      [{ authorization: 'Bearer not.a.jwt' }, 'not a valid signed JWT'],
    ];
    for (const [headers, says] of cases) {
      const { result, total } = await ask(headers);
      expectRefused(result, says);
      expect(total, says).toBe(0);
    }
  });

  it('refuses expired tokens, and tokens for another audience or from another issuer', async () => {
    const cases: [string, string][] = [
      [await signToken({ exp: nowS() - 60 }), 'The token has expired'],
      [await signToken({ audience: 'another-api' }), 'its `aud` does not match'],
      [await signToken({ issuer: 'https://evil.example.test/' }), 'its `iss` does not match'],
    ];
    for (const [token, says] of cases) {
      const { result, total } = await ask({ authorization: `Bearer ${token}` });
      expectRefused(result, says);
      expect(total, says).toBe(0);
    }
  });

  it('refuses unsigned tokens and tokens signed with another key', async () => {
    const claims = { role: 'admin', accounts: '*', sub: 'mallory', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: nowS() + 300 };
    const cases: [string, string][] = [
      [unsignedToken(claims), 'signing algorithm is not accepted'],
      [await signToken({ secret: 'another-secret-that-is-also-32-characters-long' }), 'signature is not valid'],
    ];
    for (const [token, says] of cases) {
      const { result, total } = await ask({ authorization: `Bearer ${token}` });
      expectRefused(result, says);
      expect(total, says).toBe(0);
    }
  });

  it('refuses tokens without a subject, an expiry, a known role or an accounts claim', async () => {
    const cases: [string, string][] = [
      [await signToken({ claims: { sub: undefined } }), '`sub` claim is missing'],
      [await signToken({ claims: { exp: undefined } }), '`exp` claim is missing'],
      [await signToken({ role: 'superuser' }), '`role` claim must be one of viewer, operator, admin'],
      [await signToken({ claims: { accounts: undefined } }), '`accounts` claim must be an array of account KRNs'],
      [await signToken({ claims: { accounts: 'krn:partner:global:account:live:LWT2XJSE' } }), '`accounts` claim must be an array'],
    ];
    for (const [token, says] of cases) {
      const { result, total } = await ask({ authorization: `Bearer ${token}` });
      expectRefused(result, says);
      expect(total, says).toBe(0);
    }
  });

  it('refuses a token naming no one (`sub: ""`) or valid for longer than a day (AUTH_MAX_TOKEN_LIFETIME_S)', async () => {
    const day = 86_400;
    const cases: [string, string][] = [
      [await signToken({ sub: '' }), '`sub` claim is missing or invalid'],
      [await signToken({ sub: '   ' }), '`sub` claim is missing or invalid'],
      [await signToken({ exp: Date.UTC(2999, 0, 1) / 1000 }), 'valid for longer than this gateway accepts (at most 86400 seconds)'],
      [await signToken({ claims: { iat: nowS() - 2 * day }, exp: nowS() + 60 }), 'valid for longer'], // issued for two days
      [await signToken({ claims: { iat: undefined }, exp: nowS() + day + 120 }), 'valid for longer'], // no iat: from now
      [await signToken({ claims: { iat: nowS() + day }, exp: nowS() + day + 60 }), 'valid for longer'], // iat in the future
    ];
    for (const [token, says] of cases) {
      const { result, total } = await ask({ authorization: `Bearer ${token}` });
      expectRefused(result, says);
      expect(total, says).toBe(0);
    }
    // A day exactly, from its issue, is accepted.
    const { result } = await ask(await bearer({ claims: { iat: nowS() }, exp: nowS() + day }));
    expect(result.body.errors).toBeUndefined();
  });

  it('keys caches by token subject: nothing cached for one subject is served to another', async () => {
    // Payment profiles are cached per principal (REFERENCE_CACHE_TTL_MS): a second read by the same
    // subject, even with a new token, costs nothing; another subject's first read goes to Klarna.
    const first = await ask(await bearer({ sub: 'cache-alice' }));
    const again = await ask(await bearer({ sub: 'cache-alice', role: 'viewer', accounts: [] }));
    const other = await ask(await bearer({ sub: 'cache-bob' }));
    expect([first.total, again.total, other.total]).toEqual([1, 0, 1]);
    expect(other.result.body.data).toEqual(first.result.body.data);
  });
});

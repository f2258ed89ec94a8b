/**
 * The AUTH_* settings: token mode refuses to start without what it needs (key material, issuer,
 * audience, a Klarna key of its own), each with a message naming the variable and what to set.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startGateway } from '../../src/server.ts';
import { TOKEN_ENV } from '../utils/tokens.ts';

/** The message `loadConfig` refuses `env` with ('' when it accepts it). */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ NODE_ENV: 'test', ...env });
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

const { AUTH_JWT_SECRET: _secret, ...TOKEN_WITHOUT_KEY } = TOKEN_ENV;

describe('auth configuration', () => {
  it('accepts passthrough by default and token mode with a secret, issuer and audience', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).AUTH_MODE).toBe('passthrough');
    const config = loadConfig({ NODE_ENV: 'test', ...TOKEN_ENV });
    expect(config).toMatchObject({ AUTH_MODE: 'token', AUTH_ROLE_CLAIM: 'role', AUTH_ACCOUNTS_CLAIM: 'accounts' });
  });

  it('refuses token mode without a JWKS URL or a secret, saying which to set', () => {
    const message = refusal(TOKEN_WITHOUT_KEY);
    expect(message).toContain('AUTH_MODE: token mode needs key material');
    expect(message).toContain('AUTH_JWKS_URL');
    expect(message).toContain('AUTH_JWT_SECRET');
    expect(refusal({ ...TOKEN_WITHOUT_KEY, AUTH_JWKS_URL: 'https://id.example.test/.well-known/jwks.json' })).toBe('');
  });

  it('refuses both key sources at once, a short secret, and a missing issuer or audience', () => {
    expect(refusal({ ...TOKEN_ENV, AUTH_JWKS_URL: 'https://id.example.test/jwks' })).toContain('AUTH_JWT_SECRET: set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both');
    expect(refusal({ ...TOKEN_ENV, AUTH_JWT_SECRET: 'short' })).toContain('AUTH_JWT_SECRET: must be at least 32 characters');
    const { AUTH_ISSUER: _issuer, AUTH_AUDIENCE: _audience, ...withoutClaims } = TOKEN_ENV;
    const message = refusal(withoutClaims);
    expect(message).toContain('AUTH_ISSUER: token mode needs the issuer');
    expect(message).toContain('AUTH_AUDIENCE: token mode needs the audience');
  });

  it('takes a maximum token lifetime in seconds, a day by default, and refuses one below a minute', () => {
    expect(loadConfig({ NODE_ENV: 'test', ...TOKEN_ENV }).AUTH_MAX_TOKEN_LIFETIME_S).toBe(86_400);
    expect(loadConfig({ NODE_ENV: 'test', ...TOKEN_ENV, AUTH_MAX_TOKEN_LIFETIME_S: '3600' }).AUTH_MAX_TOKEN_LIFETIME_S).toBe(3_600);
    expect(refusal({ ...TOKEN_ENV, AUTH_MAX_TOKEN_LIFETIME_S: '10' })).toContain('AUTH_MAX_TOKEN_LIFETIME_S');
  });

  it('reads the limits on failed authentications and open subscriptions, with their defaults', () => {
    expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({
      AUTH_FAILURES_PER_MINUTE: 30,
      TRUSTED_PROXY_HOPS: 0,
      MAX_SUBSCRIPTIONS_PER_CONNECTION: 100,
      MAX_SUBSCRIPTIONS_PER_PRINCIPAL: 1_000,
    });
    expect(refusal({ TRUSTED_PROXY_HOPS: '-1' })).toContain('TRUSTED_PROXY_HOPS');
    expect(refusal({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '0' })).toContain('MAX_SUBSCRIPTIONS_PER_CONNECTION');
    expect(refusal({ AUTH_FAILURES_PER_MINUTE: 'many' })).toContain('AUTH_FAILURES_PER_MINUTE');
  });

  it('refuses token settings without token mode, which would leave the gateway open', () => {
    const { AUTH_MODE: _mode, ...withoutMode } = TOKEN_ENV;
    expect(refusal(withoutMode)).toContain('AUTH_JWT_SECRET: is only used with AUTH_MODE=token');
  });

  it('refuses token mode against Klarna without a Klarna key of its own', () => {
    const klarna = { KLARNA_MANAGEMENT_URL: 'https://api-global.test.klarna.com', KLARNA_CARD_SERVICE_URL: 'https://api.klarna.com' };
    expect(refusal({ ...TOKEN_ENV, ...klarna })).toContain('KLARNA_API_KEY: token mode calls Klarna with the gateway');
    expect(refusal({ ...TOKEN_ENV, ...klarna, KLARNA_API_KEY: 'klarna_test_api_key' })).toBe('');
  });

  it('does not start a token-mode gateway that holds no Klarna key', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', ...TOKEN_ENV });
    const start = startGateway(config, { managementUrl: 'http://127.0.0.1:9', cardServiceUrl: 'http://127.0.0.1:9' });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow('Set KLARNA_API_KEY');
  });
});

/**
 * Verifies the callers' JWTs (token mode) with `jose`: the signature against the identity provider's
 * JSON Web Key Set (`AUTH_JWKS_URL`, fetched and cached by jose) or a shared HS256 secret
 * (`AUTH_JWT_SECRET`); then `iss`, `aud`, `exp` (required, 5 s of clock skew allowed) and `sub`
 * (required and non-empty: it names the principal caches and limits are keyed by); then the token's
 * lifetime (`AUTH_MAX_TOKEN_LIFETIME_S`: a token valid for longer, from its `iat` or from now, is
 * refused, so that a leaked long-lived token is no key for years); then the role and accounts claims.
 *
 * Every refusal is an UnauthenticatedError whose message says what to fix, never echoing the token.
 * Unsigned tokens (`alg: none`) and HMAC tokens against a key set are refused by the algorithm list.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError, UpstreamUnavailableError } from '../errors.ts';
import { ROLES, type Caller, type Role } from './caller.ts';

export interface TokenOptions {
  jwksUrl?: string;
  secret?: string;
  issuer: string;
  audience: string;
  /** Claim names of the role and the accounts (`role`, `accounts` unless configured). */
  roleClaim: string;
  accountsClaim: string;
  /** The longest a token may be valid: `exp - iat`, and `exp` from now (default a day). */
  maxLifetimeS?: number;
}

export type VerifyToken = (token: string) => Promise<Caller>;

/** Asymmetric algorithms a key set may sign with; HS* would let anyone holding the public key sign. */
const KEY_SET_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const CLOCK_TOLERANCE_S = 5;
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 86_400;

/**
 * Why jose refused a token, for the caller. With a key set, jose's own fetch failures (timeout, not
 * 200, not a key set, the network) are the identity provider's fault, not the caller's: UPSTREAM_UNAVAILABLE.
 */
function refusal(error: unknown, usingKeySet: boolean): Error {
  const isJose = error instanceof errors.JOSEError;
  if (usingKeySet && (!isJose || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC')) {
    return new UpstreamUnavailableError('identity provider', "The identity provider's signing keys could not be read. Try again shortly.");
  }
  if (!isJose) return error instanceof Error ? error : new Error(String(error)); // a fault of ours: masked
  if (error instanceof errors.JWTExpired) return new UnauthenticatedError('The token has expired. Get a new one from your identity provider.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'iss' || claim === 'aud') return new UnauthenticatedError(`The token was not issued for this gateway: its \`${claim}\` does not match.`);
    return new UnauthenticatedError(`The token's \`${claim}\` claim is missing or invalid (${error.reason}).`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new UnauthenticatedError("The token's signing algorithm is not accepted (unsigned tokens never are).");
  }
  if (error instanceof errors.JWKSNoMatchingKey) return new UnauthenticatedError('The token is signed with a key the identity provider does not publish.');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UnauthenticatedError("The token's signature is not valid.");
  return new UnauthenticatedError('The token is not a valid signed JWT.');
}

/**
 * Refuses a verified token that names no one (`sub` empty) or lives too long: `exp - iat` above
 * `maxLifetimeS`, or `exp` further than that from now (which also covers a token without `iat`, or
 * with an `iat` in the future).
 */
function assertSubjectAndLifetime(payload: JWTPayload, maxLifetimeS: number, nowS = Date.now() / 1000): void {
  if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
    throw new UnauthenticatedError("The token's `sub` claim is missing or invalid (it must name the caller, not be empty).");
  }
  const exp = payload.exp!;
  const tooLong = exp - nowS > maxLifetimeS + CLOCK_TOLERANCE_S || (typeof payload.iat === 'number' && exp - payload.iat > maxLifetimeS);
  if (tooLong) throw new UnauthenticatedError(`The token is valid for longer than this gateway accepts (at most ${maxLifetimeS} seconds). Get a shorter-lived one from your identity provider.`);
}

/** The caller a verified token describes; a token without a usable role or accounts claim is refused. */
function callerFrom(payload: JWTPayload, options: TokenOptions): Caller {
  const role = payload[options.roleClaim];
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new UnauthenticatedError(`The token's \`${options.roleClaim}\` claim must be one of ${ROLES.join(', ')}.`);
  }
  const accounts = payload[options.accountsClaim];
  const valid = accounts === '*' || (Array.isArray(accounts) && accounts.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 255));
  if (!valid) throw new UnauthenticatedError(`The token's \`${options.accountsClaim}\` claim must be an array of account KRNs, or "*" for every account.`);
  return {
    kind: 'token',
    role: role as Role,
    accounts: accounts === '*' ? '*' : new Set(accounts as string[]),
    subject: payload.sub!,
    issuer: payload.iss!,
    expiresAt: payload.exp! * 1000,
  };
}

export function createTokenVerifier(options: TokenOptions): VerifyToken {
  const checks = { issuer: options.issuer, audience: options.audience, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp', 'sub'] };
  const keySet = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  if (!keySet && !secret) throw new Error('token verification needs a JWKS URL or a secret');
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = keySet
        ? await jwtVerify(token, keySet, { ...checks, algorithms: KEY_SET_ALGORITHMS })
        : await jwtVerify(token, secret!, { ...checks, algorithms: ['HS256'] }));
    } catch (error) {
      throw refusal(error, Boolean(keySet));
    }
    assertSubjectAndLifetime(payload, options.maxLifetimeS ?? DEFAULT_MAX_TOKEN_LIFETIME_S);
    return callerFrom(payload, options);
  };
}

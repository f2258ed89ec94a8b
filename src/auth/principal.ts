/**
 * The principal: whose credentials reach Klarna, and the hash every cache that outlives a request is
 * keyed by. Two callers with different hashes never share a cached value.
 */
import { hash } from 'node:crypto';

export interface Principal {
  /** What is sent to Klarna as `Authorization`; absent when the caller brought none and we hold none. */
  authorization?: string;
  /** sha256 of who the caller is (their credentials, or their token's issuer and subject), safe to log and to key caches by. */
  hash: string;
}

// (One-shot `hash`: a third of `createHash().update().digest()`'s cost, on every request.)
const hashOf = (identity: string) => hash('sha256', identity, 'hex').slice(0, 32);

const SCHEMES: Readonly<Record<string, string>> = { basic: 'Basic', bearer: 'Bearer' };

/**
 * An `Authorization` header in one spelling: `Basic <credentials>` or `Bearer <token>`, whatever the
 * case of the scheme and the spaces or tabs around and after it (HTTP treats them as the same). So one
 * credential is one principal, one rate-limit bucket and one cache partition, however it is written.
 * Undefined when the header is neither scheme followed by one credential.
 */
export function canonicalAuthorization(header: string | null | undefined): string | undefined {
  const match = /^([A-Za-z]+)[ \t]+(\S+)$/.exec(header?.trim() ?? '');
  const scheme = match ? SCHEMES[match[1]!.toLowerCase()] : undefined;
  return scheme ? `${scheme} ${match![2]}` : undefined;
}

/** The hash of the credentials sent to Klarna (passthrough: the principal's own hash), for what Klarna says of them. */
export const credentialsHash = (authorization: string): string => hashOf(authorization);

/** Passthrough: the principal is its Klarna credentials (`canonicalAuthorization`). */
export function principalFor(authorization: string | undefined): Principal {
  const hash = hashOf(authorization ?? 'anonymous');
  return authorization ? { authorization, hash } : { hash };
}

/**
 * Token mode: every caller reaches Klarna with the gateway's key, so the hash names the token's
 * subject at its issuer instead (a Basic credential starts with `Basic `, so the two never collide).
 */
export function tokenPrincipal(serverAuthorization: string, issuer: string, subject: string): Principal {
  return { authorization: serverAuthorization, hash: hashOf(`token\n${issuer}\n${subject}`) };
}

/**
 * Token mode in tests: the gateway environment with a shared HS256 secret, and JWTs signed with jose
 * as an identity provider would sign them (role and accounts claims, `sub`, `iss`, `aud`, `exp`).
 */
import { SignJWT, type JWTPayload } from 'jose';

export const TOKEN_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const TOKEN_ISSUER = 'https://id.example.test/';
export const TOKEN_AUDIENCE = 'klarna-partner-gateway';

export const TOKEN_ENV = { AUTH_MODE: 'token', AUTH_JWT_SECRET: TOKEN_SECRET, AUTH_ISSUER: TOKEN_ISSUER, AUTH_AUDIENCE: TOKEN_AUDIENCE };

export interface TokenOptions {
  role?: string;
  /** Account KRNs, or `'*'`. */
  accounts?: readonly string[] | '*';
  sub?: string;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; default: in five minutes. */
  exp?: number;
  secret?: string;
  /** Claims to add or override (`undefined` removes one). */
  claims?: JWTPayload;
}

const nowS = () => Math.floor(Date.now() / 1000);

/** An HS256 JWT as the test identity provider issues it (an admin for every account unless told otherwise). */
export async function signToken(options: TokenOptions = {}): Promise<string> {
  const payload: JWTPayload = {
    role: options.role ?? 'admin',
    accounts: options.accounts ?? '*',
    sub: options.sub ?? 'user-1',
    iss: options.issuer ?? TOKEN_ISSUER,
    aud: options.audience ?? TOKEN_AUDIENCE,
    iat: nowS(),
    exp: options.exp ?? nowS() + 300,
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(options.secret ?? TOKEN_SECRET));
}

/** The `Authorization` header of a token signed with `options`. */
export async function bearer(options: TokenOptions = {}): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await signToken(options)}` };
}

/** A JWT with `alg: none` and no signature (which no verifier may accept). */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

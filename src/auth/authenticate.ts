/**
 * Who is calling, from a request's headers (HTTP, or a WebSocket's upgrade and `connection_init`),
 * before anything else of the request runs.
 *
 * The header is read in its one spelling (`canonicalAuthorization`: `basic`, extra spaces or a tab
 * after the scheme change nothing), so that one credential is one principal.
 *
 * - `passthrough` (default): `Authorization: Basic <Klarna API key>` is sent on to Klarna; a caller
 *   bringing none gets the gateway's server-held key, if it has one; a malformed Authorization never
 *   falls back to it. Every caller may do everything the gateway offers; Klarna decides.
 * - `token`: `Authorization: Bearer <JWT>` is required and verified (`tokens.ts`); Klarna is called
 *   with the gateway's own key. A missing, malformed, expired or wrongly signed token is refused with
 *   UNAUTHENTICATED before any upstream call.
 */
import { ConfigError, type Config } from '../config.ts';
import { GraphQLError } from 'graphql';
import { GatewayError, UnauthenticatedError, type ErrorCode } from '../errors.ts';
import { PASSTHROUGH_CALLER, type Caller } from './caller.ts';
import { canonicalAuthorization, principalFor, tokenPrincipal, type Principal } from './principal.ts';
import { createTokenVerifier, type TokenOptions } from './tokens.ts';

export interface Authentication {
  principal: Principal;
  caller: Caller;
}

/** `serverAuthorization`: the `Basic ...` the gateway holds (server key, or the sandbox's demo key). */
export type AuthOptions = { mode: 'passthrough'; serverAuthorization?: string } | ({ mode: 'token'; serverAuthorization: string } & TokenOptions);

export type Authenticate = (headers: Headers) => Promise<Authentication>;

/** The AUTH_* settings (validated together by `loadConfig`) and the key the gateway holds, if any. */
export function authOptions(config: Config, serverAuthorization: string | undefined): AuthOptions {
  if (config.AUTH_MODE === 'passthrough') return { mode: 'passthrough', ...(serverAuthorization ? { serverAuthorization } : {}) };
  if (!serverAuthorization) {
    throw new ConfigError('AUTH_MODE=token: the gateway calls Klarna with its own key, and none is set. Set KLARNA_API_KEY.');
  }
  return {
    mode: 'token',
    serverAuthorization,
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    ...(config.AUTH_JWT_SECRET ? { secret: config.AUTH_JWT_SECRET } : {}),
    issuer: config.AUTH_ISSUER!,
    audience: config.AUTH_AUDIENCE!,
    roleClaim: config.AUTH_ROLE_CLAIM,
    accountsClaim: config.AUTH_ACCOUNTS_CLAIM,
    maxLifetimeS: config.AUTH_MAX_TOKEN_LIFETIME_S,
  };
}


export function createAuthenticator(options: AuthOptions): Authenticate {
  const { serverAuthorization } = options;
  if (options.mode === 'passthrough') {
    return async (headers) => {
      // One spelling of the credentials (`basic`, tabs, double spaces), so that they name one principal.
      const presented = headers.get('authorization')?.trim();
      const canonical = canonicalAuthorization(presented);
      const authorization = presented ? (canonical?.startsWith('Basic ') ? canonical : undefined) : serverAuthorization;
      return { principal: principalFor(authorization), caller: PASSTHROUGH_CALLER };
    };
  }
  const verify = createTokenVerifier(options);
  return async (headers) => {
    const presented = headers.get('authorization')?.trim();
    const canonical = canonicalAuthorization(presented);
    const token = canonical?.startsWith('Bearer ') ? canonical.slice('Bearer '.length) : undefined;
    if (!token) {
      throw new UnauthenticatedError(
        presented
          ? 'This gateway takes `Authorization: Bearer <token>` from your identity provider, not Klarna credentials.'
          : 'Send `Authorization: Bearer <token>` with a token from your identity provider.',
      );
    }
    const caller = await verify(token);
    return { principal: tokenPrincipal(options.serverAuthorization, caller.issuer!, caller.subject!), caller };
  };
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, UPSTREAM_UNAVAILABLE: 503 };

/**
 * The authentication of a Yoga initial context, from the request's headers. A refusal ends the whole request before anything executes, as a GraphQL error with its
 * code and HTTP status (401 with `WWW-Authenticate: Bearer`; 503 when the identity provider's keys
 * cannot be read): an expected answer, so Yoga neither masks nor logs it as a fault.
 */
export async function authenticationOf(initial: { request: Request }, authenticate: Authenticate): Promise<Authentication> {
  try {
    return await authenticate(initial.request.headers);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    const headers: Record<string, string> = error.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {};
    throw new GraphQLError(error.message, { extensions: { code: error.code, ...error.extensions, http: { status: HTTP_STATUS[error.code] ?? 400, headers } } });
  }
}

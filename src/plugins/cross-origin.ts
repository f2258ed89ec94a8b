/**
 * What a web page of another origin may do with the gateway.
 *
 * CORS: which origins' scripts may read answers (and send credentials). `CORS_ORIGINS` lists them
 * exactly; without it, production allows none and development allows only pages served from this
 * machine (`LOOPBACK_ORIGINS`): the gateway may hold Klarna credentials of its own (`KLARNA_API_KEY`,
 * the sandbox's demo key), which any web page the developer opens could otherwise use and read.
 *
 * CSRF: a browser sends some requests cross-site without asking first (no preflight): a GET, or a
 * POST of a form or of text. Cookies play no part here, but the gateway may hold Klarna credentials
 * of its own (`KLARNA_API_KEY`), which such a request would use. So these are refused, unless they
 * carry the `x-graphql-yoga-csrf` header (which no page can add without a preflight): a GraphQL POST
 * is sent as `application/json`, a GET with the header.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { refusal } from './refusals.ts';

export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** Yoga's CSRF prevention, answering with our code (CSRF_HEADER_REQUIRED, HTTP 403). */
export function useCsrfPrevention(): Plugin {
  const prevention = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return prevention.onRequestParse?.(payload);
      } catch {
        throw refusal(
          'CSRF_HEADER_REQUIRED',
          `Send GraphQL as a POST with Content-Type: application/json, or a GET with the \`${CSRF_HEADER}\` header: requests a browser may send cross-site unasked are refused.`,
          { status: 403 },
        );
      }
    },
  };
}

/** Hosts of the pages development allows without `CORS_ORIGINS` (any port; `http:` only). */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `http://localhost:*`, `http://127.0.0.1:*` and `http://[::1]:*`: a page served from the developer's
 * own machine. `origin` must be a serialised origin as browsers send it (no path, no default port).
 */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && LOOPBACK_HOSTNAMES.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/** Whether a page of `origin` may call the gateway: a listed origin, or without a list loopback pages in development. */
function originAllowed(origin: string, { origins, production }: { origins: readonly string[] | undefined; production: boolean }): boolean {
  if (origins) return origins.includes(origin);
  return !production && isLoopbackOrigin(origin);
}

/**
 * Which pages may open a WebSocket to the gateway. Browsers apply no CORS to WebSockets, and send
 * credentials (and the gateway may hold its own) whatever the page: so the upgrade's `Origin` is
 * checked here, as CORS would check it: the gateway's own origin (GraphiQL), the listed ones, or in
 * development without a list the loopback ones. A client that sends no `Origin` is not a browser,
 * and is let in.
 */
export function webSocketOriginPolicy(policy: { origins: readonly string[] | undefined; production: boolean }) {
  return (origin: string | undefined, host: string | undefined): boolean => {
    if (!origin) return true;
    if (originAllowed(origin, policy)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  };
}

/**
 * Refuses (403 ORIGIN_NOT_ALLOWED) any GraphQL request a page of a disallowed origin makes, before anything
 * reads it: CORS only keeps such a page from reading the answer, and a form or text POST goes out
 * without a preflight, so a page could otherwise run a mutation blind with the gateway's own key
 * (CSRF prevention, off in development, would stop it too). Same rule as for WebSockets; requests
 * without an `Origin` (not a browser page, or a top-level navigation) pass.
 */
export function useOriginCheck(policy: { origins: readonly string[] | undefined; production: boolean }): Plugin {
  const allowed = webSocketOriginPolicy(policy);
  return {
    onRequestParse({ request }) {
      const origin = request.headers.get('origin') ?? undefined;
      if (origin === undefined || allowed(origin, request.headers.get('host') ?? undefined)) return;
      throw refusal('ORIGIN_NOT_ALLOWED', `Pages of ${origin.slice(0, 100)} may not call this gateway; list the origin in CORS_ORIGINS to allow it.`, { status: 403 });
    },
  };
}

type CorsOption = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'];

/**
 * How long a browser may reuse a preflight's answer (`Access-Control-Max-Age`), so that a page does not
 * send an OPTIONS before every POST: 10 minutes. The answer changes only with a deploy or
 * `CORS_ORIGINS`, which then take effect within that; browsers cap it anyway (Chromium at 2 hours).
 */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Answer headers a page's script may read: the request id, to quote to support. */
const EXPOSED_HEADERS = ['x-request-id'];

/** The `cors` option for Yoga. `origins`: exact origins (`https://app.example.com`), or none given. */
export function corsPolicy({ origins, production }: { origins: readonly string[] | undefined; production: boolean }): CorsOption {
  if (!origins && production) return () => false;
  if (!origins) {
    // Development without a list: loopback pages, with any method and header they ask for (Yoga's default).
    return (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !isLoopbackOrigin(origin)) return false;
      return { origin: [origin], credentials: true, exposedHeaders: EXPOSED_HEADERS, maxAge: PREFLIGHT_MAX_AGE_SECONDS };
    };
  }
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !originAllowed(origin, { origins, production })) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id', 'x-client-name', CSRF_HEADER],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    };
  };
}

/**
 * HTTP validators for answers the response cache keeps: a weak `ETag` and `304 Not Modified` on a
 * matching `If-None-Match`, so a client that keeps an answer (a phone, a browser's own cache) is told
 * "unchanged" in a few bytes instead of receiving it again.
 *
 * Contract:
 * - Only an answer the response cache stored or served (one query, a single JSON result, no errors,
 *   no type with a TTL of 0: card data, secrets, credentials) gets an `ETag`, with
 *   `Cache-Control: private, no-cache` (the caller's own cache may keep it, and must ask every time
 *   before using it) and `Vary: Authorization`. Every other answer stays `no-store`, with no `ETag`
 *   (Yoga's plugin would put the unquoted cache key on some of them: it is removed, as is its
 *   `Last-Modified`).
 * - The tag is `W/"<22 characters>"`: a hash of the caller's cache partition (the hash of its
 *   credentials, `sessionOf`) and the answer's bytes before any content coding. So it changes when the
 *   answer changes, is the same for the gzip, brotli and plain forms of one answer (hence weak), and
 *   differs between two callers even for the same bytes: one caller's tag never earns another a 304.
 * - A 304 is answered only once the request has run as usual (authenticated, read from the cache or
 *   executed) and its answer hashes to a tag the client sent: a revoked caller gets its refusal, a
 *   changed answer goes out in full. A POST query is treated as a GET would be (a query is a safe read;
 *   mutations are never cached, so never tagged).
 * - Yoga's plugin has a 304 path of its own that looks `If-None-Match` up as a cache key: it never
 *   answers here (the gateway enables the cache for a request only once its caller is authenticated,
 *   which happens after that check), and a tag of ours is never a cache key.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const JSON_TYPES = new Set(['application/json', 'application/graphql-response+json']);
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 §13.1.2 asks for it), or is `*`. */
export function matchesIfNoneMatch(ifNoneMatch: string, tag: string): boolean {
  const opaque = (value: string) => value.trim().replace(/^W\//, '');
  const wanted = opaque(tag);
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === wanted);
}

export function entityTagOf(partition: string, body: string): string {
  return `W/"${createHash('sha256').update(partition).update('\n').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * `cacheable(request)` is called for a request whose answer the cache stored; the plugin also knows an
 * answer served from the cache by itself. `partitionOf` is the cache's partition of a request.
 */
export function createEntityTags(partitionOf: (request: Request) => string) {
  const cacheable = new WeakSet<Request>();
  const plugin: Plugin = {
    onResultProcess({ request, result }) {
      // A batch is never tagged: its operations are cached (or not) one by one.
      if (Array.isArray(result)) cacheable.delete(request);
      else if ((result as Record<symbol, unknown>)[SERVED_FROM_CACHE]) cacheable.add(request);
    },
    // Not `async`: only an answer the cache keeps is read and tagged (a promise from every onResponse
    // hook lengthens every request's chain).
    onResponse({ request, response, setResponse, fetchAPI }) {
      const tagged = response.headers.has('etag');
      const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
      if (!cacheable.has(request) || response.status !== 200 || !JSON_TYPES.has(mediaType) || response.headers.has('content-encoding')) {
        if (tagged) {
          response.headers.delete('etag');
          response.headers.delete('last-modified');
        }
        return;
      }
      return (async () => {
        const body = await response.text();
        const tag = entityTagOf(partitionOf(request), body);
        // (Copied by hand: the Headers ponyfill copies another's names in their original case, which its
        // own `delete` and `set` then miss.)
        const headers = new fetchAPI.Headers([...response.headers].map(([name, value]): [string, string] => [name.toLowerCase(), value]));
        headers.delete('last-modified');
        headers.set('etag', tag);
        headers.set('cache-control', 'private, no-cache');
        const vary = headers.get('vary');
        headers.set('vary', vary ? `${vary}, Authorization` : 'Authorization');
        const ifNoneMatch = request.headers.get('if-none-match');
        if (ifNoneMatch && matchesIfNoneMatch(ifNoneMatch, tag)) {
          headers.delete('content-type');
          headers.delete('content-length');
          setResponse(new fetchAPI.Response(null, { status: 304, headers }));
          return;
        }
        setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers }));
      })();
    },
  };
  return { mark: (request: Request) => cacheable.add(request), plugin };
}

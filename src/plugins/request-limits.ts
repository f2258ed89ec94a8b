/**
 * Limits on a GraphQL request as a whole, before any operation in it is parsed:
 *
 * - its body: at most `maxBytes` (REQUEST_TOO_LARGE, HTTP 413). A `Content-Length` above it is refused
 *   before anything is read; a body without one (chunked) is read only up to the limit.
 * - a batch (a JSON array of operations): at most `maxOperations` (BATCH_TOO_LARGE, HTTP 413).
 *
 * This replaces Yoga's own body limit (`maxRequestBodySize: false` in the gateway) to answer with our
 * code, and runs before Yoga's batching limit (set to the same number) for the same reason. It must be
 * registered after the request parsers (any user plugin is), to wrap whichever parser was selected.
 */
import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusals.ts';

export interface RequestLimits {
  maxBytes: number;
  /** Operations per batch; 0 refuses batches altogether. */
  maxOperations: number;
}

type FetchAPI = { Request: typeof Request; TransformStream: typeof TransformStream };

const tooLarge = (maxBytes: number) => refusal('REQUEST_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`, { status: 413 });

/** The request with a body that fails as soon as more than `maxBytes` have been read. */
function limitBody(request: Request, maxBytes: number, fetchAPI: FetchAPI): Request {
  if (!request.body) return request;
  // The body may be a native stream or whatwg-node's: pipe it through a TransformStream of its own kind.
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const body = request.body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body, duplex: 'half' } as RequestInit);
}

export function useRequestLimits({ maxBytes, maxOperations }: RequestLimits): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      // Node's HTTP parser refuses a malformed Content-Length and never reads past a valid one, so a
      // body that declares its length is bounded by this check alone. Only a body without one (chunked)
      // is counted as it is read: wrapping every body cost ~110 µs a request (a stream and a Request).
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
      if (declared === null && requestParser && request.body) {
        const parse = requestParser;
        setRequestParser((incoming) => parse(limitBody(incoming, maxBytes, fetchAPI as FetchAPI)));
      }
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > maxOperations) {
            const message = maxOperations
              ? `A batch may hold at most ${maxOperations} operations; this one holds ${requestParserResult.length}.`
              : 'Batching is off: send one operation per request.';
            throw refusal('BATCH_TOO_LARGE', message, { status: 413 });
          }
        },
      };
    },
  };
}

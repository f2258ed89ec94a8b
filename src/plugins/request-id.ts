/**
 * Every HTTP answer carries `x-request-id`, so support can match a client's error to a log line: the
 * caller's own when it is one the gateway passes on (`clientRequestId`: 8–64 letters, digits, dashes),
 * else one made here.
 *
 * The id is settled as the request arrives, on the request itself (a made one replaces a missing or
 * unusable header), so that everything after reads the same one through `clientRequestId`: the
 * context, which sends it to Klarna as `Partner-Correlation-Id`, the operation log line and the span.
 * Registered first among the gateway's plugins. Answers Yoga gives before any of our plugins run
 * (`/health`, CORS preflights, GraphiQL's page) get an id made for the answer alone: they log nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { clientRequestId } from '../context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      if (!clientRequestId(request.headers)) request.headers.set(REQUEST_ID_HEADER, randomUUID());
    },
    onResponse({ request, response }) {
      response.headers.set(REQUEST_ID_HEADER, clientRequestId(request.headers) ?? randomUUID());
    },
  };
}

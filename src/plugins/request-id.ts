/**
 * Every HTTP answer carries `x-request-id`, so support can match a client's error to a log line
 * (`src/request-id.ts` says which id). Registered first among the gateway's plugins, so the id is
 * settled before anything reads it. Answers Yoga gives before any of our plugins run (`/health`, CORS
 * preflights, GraphiQL's page) get an id made for the answer alone: they log nothing.
 */
import type { Plugin } from 'graphql-yoga';
import { newRequestId, requestIdOf, settleRequestId } from '../request-id.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      settleRequestId(request);
    },
    onResponse({ request, response }) {
      response.headers.set(REQUEST_ID_HEADER, requestIdOf(request) ?? newRequestId());
    },
  };
}

/**
 * Where GraphiQL is off (production, unless `GRAPHIQL=true`), a browser that opens `/graphql` gets a
 * short answer saying so and how to query, instead of Yoga's empty 406: the same request (a GET that
 * accepts `text/html`) that GraphiQL answers where it is on. Still 406, as a GraphQL error with code
 * `GRAPHIQL_DISABLED` in JSON, which a browser shows as text and a client can read.
 */
import type { Plugin } from 'graphql-yoga';

export const GRAPHIQL_OFF_MESSAGE =
  'GraphiQL is not served here: it is off in production (set GRAPHIQL=true to serve it). ' +
  'To query, POST /graphql with Content-Type: application/json and a body such as {"query":"{ __typename }"}.';

const BODY = JSON.stringify({ errors: [{ message: GRAPHIQL_OFF_MESSAGE, extensions: { code: 'GRAPHIQL_DISABLED' } }] });

export function useGraphiqlOffHint({ graphqlEndpoint = '/graphql' }: { graphqlEndpoint?: string } = {}): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || url.pathname !== graphqlEndpoint || !request.headers.get('accept')?.includes('text/html')) return;
      endResponse(new fetchAPI.Response(BODY, { status: 406, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    },
  };
}

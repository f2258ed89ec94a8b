/**
 * The GraphQL gateway: Yoga over the Pothos schema, with the request context, error masking, offline
 * GraphiQL and the `/metrics` endpoint. Made once at boot from parts made at boot (upstreams, caches,
 * metrics); everything per request is made by the context factory.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { createContextFactory, type ContextDependencies, type GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { DASHBOARD_QUERY, GRAPHIQL_TABS } from './examples.ts';
import type { Metrics } from './metrics.ts';
import { buildSchema } from './schema/index.ts';
import { freshContextPerEvent, usePerEventContext } from './subscription-context.ts';
import { useWebhookIngress } from './webhooks/ingress.ts';

export interface GatewayOptions extends ContextDependencies {
  metrics: Metrics;
  logger: Logger;
  graphiql: boolean;
}

/**
 * Every GraphQL answer is per principal and may carry secrets (a new API key) or card data (a card
 * settlement): no HTTP cache may keep it.
 */
function useNoStore(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
    },
  };
}

/** Serves Prometheus text at `/metrics`. */
function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      endResponse(new fetchAPI.Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }));
    },
  };
}

export function createGateway(options: GatewayOptions) {
  const createContext = createContextFactory(options);
  const { logger } = options;

  /**
   * Expected failures (GatewayError) reach the client with their code and message; GraphQL's own
   * errors (validation, coercion) pass as they are; anything else is logged and masked.
   */
  function maskError(error: unknown): Error {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof GatewayError) {
      const graphQLError = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(original.message, {
        ...(graphQLError?.nodes ? { nodes: graphQLError.nodes } : {}),
        ...(graphQLError?.path ? { path: graphQLError.path } : {}),
        extensions: { code: original.code, ...original.extensions },
      });
    }
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
    logger.error({ err: original, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
    return new GraphQLError('Unexpected error.', {
      ...(error instanceof GraphQLError && error.path ? { path: error.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: buildSchema(),
    context: ({ request }) => createContext(request.headers, request.signal),
    graphiql: options.graphiql
      ? { title: 'Klarna Partner Gateway', defaultQuery: DASHBOARD_QUERY, defaultTabs: GRAPHIQL_TABS, subscriptionsProtocol: 'WS' }
      : false,
    renderGraphiQL,
    maskedErrors: { maskError },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    plugins: [
      useMetricsEndpoint(options.metrics),
      useNoStore(),
      ...(options.events ? [useWebhookIngress(options.events.ingress)] : []),
      // Every subscription event gets a new context (fresh loaders) from the subscriber's own headers.
      usePerEventContext(freshContextPerEvent(createContext)),
    ],
  });
  return yoga;
}
export type Gateway = ReturnType<typeof createGateway>;

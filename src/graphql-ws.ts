/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the gateway's own port and path: a `ws` server
 * on the node:http server, answering upgrades of `/graphql`. Operations run through the same Yoga
 * envelope as HTTP requests (`yoga.getEnveloped`: the same plugins, error masking and context factory).
 *
 * Credentials: `connection_init`'s `{ authorization: 'Basic …' }`, else the upgrade request's
 * `Authorization` header, else the gateway's own (sandbox demo or server-held), as for HTTP. They are
 * checked with Klarna when the socket connects; refused ones close it with 4403 Forbidden.
 */
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { assertSubscriber } from './schema/subscription-access.ts';
import { contextFromHeaders } from './subscription-context.ts';

type Yoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;
type Envelope = ReturnType<Yoga['getEnveloped']>;

/** What a connection keeps between its messages. */
interface Connection {
  headers: Headers;
  /** Aborted when the socket closes: upstream calls of its subscriptions stop. */
  closed: AbortController;
}

/** The request headers that matter to the gateway, from the upgrade request and `connection_init`. */
function connectionHeaders(request: IncomingMessage, params: Readonly<Record<string, unknown>> | undefined): Headers {
  const headers = new Headers();
  for (const name of ['authorization', 'x-client-name', 'x-request-id']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization === 'string') headers.set('authorization', authorization);
  return headers;
}

const REFUSED = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

export function attachGraphqlWs(server: Server, yoga: Yoga, { logger, isProd }: { logger: Logger; isProd: boolean }) {
  const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const connections = new WeakMap<object, Connection>();

  const disposable = useServer(
    {
      isProd,
      execute: (args: ExecutionArgs) => (args.rootValue as Envelope).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as Envelope).subscribe(args),
      onConnect: async (ctx) => {
        const headers = connectionHeaders(ctx.extra.request, ctx.connectionParams);
        try {
          await assertSubscriber(await contextFromHeaders(yoga, headers));
        } catch (error) {
          if (error instanceof GatewayError && REFUSED.has(error.code)) return false; // 4403 Forbidden
          logger.warn({ err: error }, 'could not check the credentials of a WebSocket client');
          ctx.extra.socket.close(1013, 'Klarna could not be reached; try again later');
          return false;
        }
        connections.set(ctx, { headers, closed: new AbortController() });
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx);
        if (!connection) return [new GraphQLError('The connection is not initialised.')];
        const request = new yoga.fetchAPI.Request(`http://gateway.internal${yoga.graphqlEndpoint}`, {
          headers: connection.headers,
          signal: connection.closed.signal,
        });
        const envelope = yoga.getEnveloped({ request, params: payload });
        let document;
        try {
          document = envelope.parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The query could not be parsed.')];
        }
        const errors = envelope.validate(envelope.schema, document);
        if (errors.length) return errors;
        return {
          schema: envelope.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await envelope.contextFactory(),
          rootValue: envelope,
        };
      },
      onClose: (ctx) => {
        connections.get(ctx)?.closed.abort();
      },
    },
    wsServer,
  );

  return {
    /** Closes every client with 1001 (going away), then the WebSocket server. */
    close: () => disposable.dispose(),
  };
}

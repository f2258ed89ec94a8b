/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the gateway's own port and path: a `ws` server
 * on the node:http server, answering upgrades of `/graphql`. Operations run through the same Yoga
 * envelope as HTTP requests (`yoga.getEnveloped`: the same plugins, error masking and context factory).
 *
 * Credentials: `connection_init`'s `{ authorization: 'Basic …' }` (token mode: `'Bearer <JWT>'`), else
 * the upgrade request's `Authorization` header, else (passthrough) the gateway's own, as for HTTP.
 * They are checked when the socket connects (passthrough: with Klarna; token mode: the token itself),
 * and again for every subscription (a token may have expired since); refused ones close the socket
 * with 4403 Forbidden, or fail that one subscription. An address refused for too many failed
 * authentications (`src/plugins/auth-failures.ts`) is closed with 1013 (try again later).
 *
 * A subscription's results are written to its socket as they come (`src/plugins/direct-results.ts`):
 * envelop and the protocol core see one stream that completes when they end.
 *
 * A connection holds at most `maxSubscriptionsPerConnection` open subscriptions: one more is refused
 * with TOO_MANY_SUBSCRIPTIONS before it is set up (the per-principal cap is a Yoga plugin,
 * `src/plugins/subscription-limits.ts`, as it also counts SSE).
 */
import type { IncomingMessage, Server } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { createSocketDrain } from './graphql-ws-drain.ts';
import { serveGraphqlWs } from './graphql-ws-socket.ts';
import { resultSinks, sinkFor } from './plugins/direct-results.ts';
import { tooManySubscriptions } from './plugins/subscription-limits.ts';
import { assertSubscriber } from './schema/subscription-access.ts';

type Yoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;
type Envelope = ReturnType<Yoga['getEnveloped']>;

/**
 * The context the gateway's context factory makes for these headers, through `yoga.getEnveloped` (so
 * every plugin's context extension applies, as for an HTTP request).
 */
async function contextFromHeaders(yoga: Yoga, headers: Headers, req: IncomingMessage): Promise<GatewayContext> {
  const request = new yoga.fetchAPI.Request(`http://gateway.internal${yoga.graphqlEndpoint}`, { headers });
  const { contextFactory } = yoga.getEnveloped({ request, req });
  return (await contextFactory()) as unknown as GatewayContext;
}

/** What the gateway reads of the upgrade request after it (the client address: `clientAddress`). */
type Peer = Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress: string | undefined } };

/**
 * The upgrade request reduced to its peer: a connection keeps this (~0.1 KB) instead of the
 * IncomingMessage (~1.3 KB; graphql-ws's `extra.request` is let go of once connected).
 */
function peerOf(request: IncomingMessage): Peer {
  const forwarded = request.headers['x-forwarded-for'];
  return { headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }, socket: { remoteAddress: request.socket.remoteAddress } };
}

/** What a connection keeps between its messages. */
class Connection {
  /** Ids of its subscription operations (queries and mutations not counted) set up and not yet completed (an array: most hold one). */
  subscriptions: readonly string[] = [];
  private controller: AbortController | undefined;
  private ended = false;

  constructor(
    readonly headers: Headers,
    readonly peer: Peer,
  ) {}

  /**
   * Aborted when the socket closes: the upstream calls of its operations stop. Made on first need (an
   * operation that calls Klarna: `OperationBudget` asks for it then), as a signal costs ~0.7 KB and most
   * subscribers' connections never call (their access verdicts are shared per principal).
   */
  get closedSignal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.ended) this.controller.abort();
    }
    return this.controller.signal;
  }

  close(): void {
    this.ended = true;
    this.controller?.abort();
  }
}

/**
 * The Request of one operation on a connection: its `signal` is the connection's, read only when
 * needed (graphql-ws operations have no body, the only other reader of a Request's signal).
 */
function socketRequestClass(Base: Yoga['fetchAPI']['Request']) {
  class SocketRequest extends Base {
    constructor(
      url: string,
      init: RequestInit,
      readonly connection: Connection,
    ) {
      super(url, init);
    }
  }
  Object.defineProperty(SocketRequest.prototype, 'signal', {
    get(this: SocketRequest) {
      return this.connection.closedSignal;
    },
  });
  return SocketRequest;
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

/** The code of an expected refusal: a GatewayError's, or a GraphQLError's (as authentication throws them). */
function codeOf(error: unknown): unknown {
  if (error instanceof GatewayError) return error.code;
  return error instanceof GraphQLError ? error.extensions.code : undefined;
}

export interface GraphqlWsOptions {
  logger: Logger;
  isProd: boolean;
  /** The largest message a client may send (larger ones close the socket with 1009). */
  maxPayloadBytes?: number;
  /** Whether a page of this `Origin` (absent: not a browser) may connect to `host`; refused: HTTP 403. */
  allowOrigin?: (origin: string | undefined, host: string | undefined) => boolean;
  /** Told when a connection is acknowledged and when that connection closes (the connections gauge). */
  onConnection?: { opened(): void; closed(): void };
  /** Open subscriptions one connection may hold (`MAX_SUBSCRIPTIONS_PER_CONNECTION`); one more is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxSubscriptionsPerConnection?: number;
  /**
   * The document a message names by hash alone (persisted operations); undefined: the message's own
   * text. Throws a GraphQLError for a hash it does not know.
   */
  persistedDocumentOf?: (payload: { query: string; extensions?: Record<string, unknown> | null }) => string | undefined;
}

export function attachGraphqlWs(server: Server, yoga: Yoga, options: GraphqlWsOptions) {
  const { logger, isProd, maxPayloadBytes = 1024 * 1024, allowOrigin, onConnection, maxSubscriptionsPerConnection = Infinity, persistedDocumentOf } = options;
  const wsServer = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: maxPayloadBytes,
    // During a shutdown no new socket is taken (an upgrade on a keep-alive connection): 503.
    verifyClient: ({ origin, req }, done) =>
      drain.started() ? done(false, 503, 'Shutting down') : done(allowOrigin ? allowOrigin(origin || undefined, req.headers.host) : true, 403, 'Forbidden'),
  });
  const drain = createSocketDrain(wsServer);
  const connections = new WeakMap<object, Connection>();
  const SocketRequest = socketRequestClass(yoga.fetchAPI.Request);
  // One string for every operation's Request (a template per operation is a new ~100-byte string each, kept by an open subscription).
  const endpointUrl = `http://gateway.internal${yoga.graphqlEndpoint}`;

  const served = serveGraphqlWs(
    {
      execute: (args: ExecutionArgs) => (args.rootValue as Envelope).execute(args),
      // The envelope travels as `rootValue` (graphql-ws's way to the operation's own pipeline); it is
      // taken out of the arguments a subscription keeps for its lifetime (its root is the event).
      subscribe: (args: ExecutionArgs) => {
        const envelope = args.rootValue as Envelope;
        args.rootValue = undefined;
        return envelope.subscribe(args);
      },
      onConnect: async (ctx) => {
        const headers = connectionHeaders(ctx.extra.request, ctx.connectionParams);
        try {
          await assertSubscriber(await contextFromHeaders(yoga, headers, ctx.extra.request));
        } catch (error) {
          if (REFUSED.has(codeOf(error) as string)) return false; // 4403 Forbidden
          if (codeOf(error) === 'RATE_LIMITED') {
            ctx.extra.socket.close(1013, 'Too many failed authentications from this address; try again later');
            return false;
          }
          logger.warn({ err: error }, 'could not check the credentials of a WebSocket client');
          ctx.extra.socket.close(1013, 'Klarna could not be reached; try again later');
          return false;
        }
        connections.set(ctx, new Connection(headers, peerOf(ctx.extra.request)));
        // Nothing reads it after this (the peer above is what is kept): the IncomingMessage is freed.
        (ctx.extra as { request: IncomingMessage | undefined }).request = undefined;
        onConnection?.opened();
        return true;
      },
      // A query or mutation is counted until answered: a shutdown waits for it within its grace.
      onSubscribe: (ctx, id, payload) => drain.hold(ctx.extra.socket, id, async () => {
        const connection = connections.get(ctx);
        if (!connection) return [new GraphQLError('The connection is not initialised.')];
        // POST: a message on an open socket is no GET link a page could make a browser follow, so
        // mutations are allowed over it, as over POST (Yoga refuses mutations in GET requests).
        const request = new SocketRequest(endpointUrl, { method: 'POST', headers: connection.headers }, connection);
        const envelope = yoga.getEnveloped({ request, params: payload, req: connection.peer });
        let document;
        try {
          document = envelope.parse(persistedDocumentOf?.(payload) ?? payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('The query could not be parsed.')];
        }
        const errors = envelope.validate(envelope.schema, document);
        if (errors.length) return errors;
        // Open subscriptions only: an id graphql-ws no longer runs has completed, however it ended.
        const isSubscription = getOperationAST(document, payload.operationName ?? undefined)?.operation === 'subscription';
        if (isSubscription) {
          connection.subscriptions = connection.subscriptions.filter((open) => open in ctx.subscriptions);
          if (connection.subscriptions.length >= maxSubscriptionsPerConnection) return [tooManySubscriptions(maxSubscriptionsPerConnection, 'connection')];
        }
        let contextValue;
        try {
          contextValue = await envelope.contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [error]; // a refused token: this subscription fails, the socket stays
          throw error;
        }
        if (isSubscription) {
          connection.subscriptions = connection.subscriptions.concat(id); // exactly as long (a spread grows a new array to 17)
          // Its results are written to the socket as they come (`usePerEventContext`), past the core's loop.
          resultSinks.set(contextValue, sinkFor(ctx.extra.socket, id));
        }
        return {
          schema: envelope.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
          rootValue: envelope,
        };
      }),
      onComplete: (ctx, id) => {
        const connection = connections.get(ctx);
        if (connection?.subscriptions.includes(id)) connection.subscriptions = connection.subscriptions.filter((open) => open !== id);
        drain.completed(ctx.extra.socket, id);
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx);
        if (connection) onConnection?.closed();
        connection?.close();
      },
    },
    wsServer,
    { logger, isProd },
  );

  return {
    /**
     * Shutdown (`graphql-ws-drain.ts`): no new socket or operation; idle sockets closed with 1001 at once,
     * the others once their queries and mutations are answered; whatever is open at `deadline` (epoch ms) terminated.
     */
    close: async (deadline: number) => {
      served.stop();
      await drain.close(deadline);
    },
  };
}

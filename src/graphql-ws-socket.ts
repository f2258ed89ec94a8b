/**
 * graphql-ws's transport-free protocol core (`makeServer`) on the sockets of a `ws` server: what
 * `graphql-ws/use/ws` (`useServer`) does, keeping less per socket, as an open socket lives for hours:
 *
 * - one heartbeat for all sockets (every `keepAliveMs` each open socket is pinged, in batches that
 *   yield to the event loop; one that has not answered the previous ping by then is terminated), not
 *   a timer and a `pong` listener per socket;
 * - the wait for `connection_init` (`connectionInitWaitTimeout`, 3 s by default) is a timer cleared when
 *   it arrives, not one the core keeps for the socket's life;
 * - a message is parsed here and handed to the core as the parsed object (its `parseMessage` takes a
 *   string or an object): the core's message handler stays suspended for as long as a subscription
 *   runs, and it then keeps neither the frame's Buffer nor its text, only the message;
 * - a subscribe message's `query` text is the same string object for every socket that sent the same
 *   text (a fleet of dashboards sends one document): the core keeps the message as long as the
 *   subscription, one copy of the text instead of one per socket;
 * - the socket handed to the core is a small object whose methods are shared, not closures per socket.
 *
 * Errors are handled as `useServer` handles them: an error of the server or of a socket, or one thrown
 * while a message is handled, is logged and closes the socket(s) with 4500 (its message outside production).
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, DEPRECATED_GRAPHQL_WS_PROTOCOL, handleProtocols, makeServer, MessageType, type ServerOptions, type WebSocket as ProtocolSocket } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';

/** What the core's hooks see as `ctx.extra`, as `useServer` gives it. */
export interface SocketExtra {
  readonly socket: WebSocket;
  /** The upgrade request (read in `onConnect`: the gateway lets go of it once the connection is acknowledged). */
  readonly request: IncomingMessage;
}

export interface ServeOptions {
  logger: Logger;
  isProd: boolean;
  /** How often every socket is pinged; a socket that has not answered the last ping by the next is terminated. 0: never. */
  keepAliveMs?: number;
  /** Distinct query texts remembered to share (the most recently seen kept). */
  maxSharedQueries?: number;
}

/** Sockets pinged between two yields to the event loop. */
const HEARTBEAT_BATCH = 500;

/** A close reason the WebSocket protocol accepts (at most 123 bytes), as `useServer` limits it. */
const closeReason = (reason: string, whenTooLong: string): string => (Buffer.byteLength(reason) < 124 ? reason : whenTooLong);

/**
 * One string object per distinct text among the last `max` seen: `share(text)` gives the one kept for
 * an equal text (and keeps `text` when there is none). Only for texts that are kept long: each lookup
 * hashes the text.
 */
function createStringShare(max: number) {
  const kept = new Map<string, string>();
  return (text: string): string => {
    const known = kept.get(text);
    if (known !== undefined) {
      // Seen again: moved to the back (the front is dropped first).
      kept.delete(known);
      kept.set(known, known);
      return known;
    }
    kept.set(text, text);
    if (kept.size > max) kept.delete(kept.keys().next().value!);
    return text;
  };
}

/** The socket as the protocol core sees it: methods on the prototype, state in two fields. */
class CoreSocket implements ProtocolSocket {
  constructor(
    private readonly socket: WebSocket,
    readonly protocol: string,
  ) {}

  send(data: string): Promise<void> {
    const { socket } = this;
    return new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  /** Set once, by the core, when the socket is opened. */
  onMessage(receive: (data: string) => Promise<void>): void {
    this.receive = receive;
  }

  receive: ((data: string) => Promise<void>) | undefined;
}

/** Runs the graphql-ws protocol on every socket `wsServer` accepts. Returns what stops the heartbeat. */
export function serveGraphqlWs(options: ServerOptions<Record<string, unknown> | undefined, SocketExtra>, wsServer: WebSocketServer, serve: ServeOptions) {
  const { logger, isProd, keepAliveMs = 12_000, maxSharedQueries = 1_000 } = serve;
  const { connectionInitWaitTimeout: initWaitMs = 3_000 } = options;
  const server = makeServer({ ...options, connectionInitWaitTimeout: 0 });
  const shareQuery = createStringShare(maxSharedQueries);
  wsServer.options.handleProtocols = handleProtocols;

  const internalError = (error: unknown) => (isProd ? 'Internal server error' : closeReason(error instanceof Error ? error.message : String(error), 'Internal server error'));

  wsServer.once('error', (error) => {
    logger.error({ err: error }, 'the WebSocket server failed');
    for (const client of wsServer.clients) client.close(CloseCode.InternalServerError, internalError(error));
  });

  // Sockets pinged and not answered yet: a socket still here at the next beat is terminated.
  const unanswered = new Set<WebSocket>();
  /**
   * One beat: every open socket pinged, or terminated if it left the last ping unanswered. In batches
   * that yield to the event loop in between: a ping costs ~10 µs, and 10,000 sockets in one go would
   * hold every delivery for ~0.1 s.
   */
  function beat(): void {
    const sockets = [...wsServer.clients];
    const batch = (from: number) => {
      const to = Math.min(from + HEARTBEAT_BATCH, sockets.length);
      for (let index = from; index < to; index += 1) {
        const socket = sockets[index]!;
        if (socket.readyState !== socket.OPEN) continue;
        if (unanswered.delete(socket)) {
          socket.terminate();
          continue;
        }
        unanswered.add(socket);
        socket.ping();
      }
      if (to < sockets.length) setImmediate(batch, to);
    };
    batch(0);
  }
  const heartbeat = keepAliveMs > 0 && Number.isFinite(keepAliveMs) ? setInterval(beat, keepAliveMs) : undefined;
  heartbeat?.unref();
  // Shared by every socket (`this` is the socket): no closure per socket.
  function answered(this: WebSocket) {
    unanswered.delete(this);
  }
  function failed(this: WebSocket, error: Error) {
    logger.error({ err: error }, 'a WebSocket failed');
    this.close(CloseCode.InternalServerError, internalError(error));
  }

  wsServer.on('connection', (socket, request) => {
    socket.on('error', failed);
    socket.on('pong', answered);
    const core = new CoreSocket(socket, socket.protocol);
    const closed = server.opened(core, { socket, request });
    let initWait =
      initWaitMs > 0 && Number.isFinite(initWaitMs)
        ? setTimeout(() => socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout'), initWaitMs)
        : undefined;
    socket.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data)) as unknown;
      } catch {
        return socket.close(CloseCode.BadRequest, 'Invalid message received');
      }
      if (initWait && (message as { type?: unknown } | null)?.type === MessageType.ConnectionInit) {
        clearTimeout(initWait);
        initWait = undefined;
      }
      const payload = typeof message === 'object' && message !== null ? (message as { payload?: unknown }).payload : undefined;
      if (typeof payload === 'object' && payload !== null && typeof (payload as { query?: unknown }).query === 'string') {
        (payload as { query: string }).query = shareQuery((payload as { query: string }).query);
      }
      // The core parses a string itself and takes an object as parsed (its `parseMessage`); it validates either.
      core.receive?.(message as string).catch((error: unknown) => {
        logger.error({ err: error }, 'a graphql-ws message could not be handled');
        socket.close(CloseCode.InternalServerError, internalError(error));
      });
    });
    // `on`, not `once` (its wrapper is one more object per socket): a socket closes once.
    socket.on('close', (code, reason) => {
      clearTimeout(initWait);
      unanswered.delete(socket);
      if (!isProd && code === CloseCode.SubprotocolNotAcceptable && socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL) {
        logger.warn(`A client used the deprecated subprotocol "${DEPRECATED_GRAPHQL_WS_PROTOCOL}" (subscriptions-transport-ws); only "graphql-transport-ws" is served.`);
      }
      closed(code, String(reason)).catch((error: unknown) => logger.error({ err: error }, 'a closed graphql-ws socket could not be cleaned up'));
    });
  });

  return {
    /** Stops the heartbeat (the sockets are closed by the caller). */
    stop: () => clearInterval(heartbeat),
  };
}

/**
 * How the graphql-ws sockets end when the gateway shuts down, within the shutdown's one deadline:
 *
 * - no new socket, and no new operation on an open one (`SHUTTING_DOWN`: send it again elsewhere);
 * - a socket with no query or mutation running is closed at once with 1001 (going away), so its
 *   subscriptions reconnect to another replica;
 * - a socket with queries or mutations running is closed with 1001 once the last of them has been
 *   answered (a mutation applied at Klarna is never answered with a bare 1001 when the grace allows);
 * - at the deadline every socket still open is terminated: a client that never answers the close frame
 *   does not hold the shutdown (`ws` would wait 30 s for its reply).
 */
import { getOperationAST, GraphQLError, type DocumentNode } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';

const GOING_AWAY = 1001;

export const shuttingDown = () =>
  new GraphQLError('The gateway is shutting down; send the operation again on a new connection.', { extensions: { code: 'SHUTTING_DOWN' } });

/** What `onSubscribe` answers: errors, or the execution arguments (with the document to tell its kind). */
type SetUp<T> = readonly GraphQLError[] | (T & { document: DocumentNode; operationName: string | null });

/** Whether what `onSubscribe` answered is a query or mutation about to run (not errors, not a subscription). */
function isQueryOrMutation(result: SetUp<object> | undefined): boolean {
  if (!result || isErrors(result)) return false;
  return getOperationAST(result.document, result.operationName ?? undefined)?.operation !== 'subscription';
}
const isErrors = (result: SetUp<object>): result is readonly GraphQLError[] => Array.isArray(result);

export function createSocketDrain(wsServer: WebSocketServer) {
  /** Per socket, the ids of its queries and mutations received and not yet answered. */
  const running = new WeakMap<WebSocket, Set<string>>();
  let draining = false;

  const goAway = (socket: WebSocket) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(GOING_AWAY, 'Going away');
  };

  function end(socket: WebSocket, id: string) {
    const ids = running.get(socket);
    if (!ids?.delete(id)) return;
    if (ids.size) return;
    // None running: an idle socket (a subscriber's, for hours) keeps no set.
    running.delete(socket);
    // Later in the same turn graphql-ws sends the operation's `complete`; the close frame follows it.
    if (draining) setImmediate(() => goAway(socket));
  }

  return {
    started: () => draining,
    /**
     * Wraps `onSubscribe`: an operation is counted from the moment it arrives (a shutdown starting
     * while it is set up waits for it too); refused ones and subscriptions stop being counted once set up.
     */
    async hold<T>(socket: WebSocket, id: string, setUp: () => Promise<SetUp<T>>): Promise<SetUp<T>> {
      if (draining) return [shuttingDown()];
      let ids = running.get(socket);
      if (!ids) running.set(socket, (ids = new Set()));
      ids.add(id);
      let result: SetUp<T> | undefined;
      try {
        result = await setUp();
        return result;
      } finally {
        if (!isQueryOrMutation(result)) end(socket, id);
      }
    },
    /** `onComplete`: the operation's result has been sent. */
    completed: end,
    /** Stops taking sockets and operations, closes idle sockets, and terminates what is open at `deadline` (epoch ms). */
    async close(deadline: number): Promise<void> {
      draining = true;
      const closes = [...wsServer.clients].map((socket) => {
        const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        if (!running.get(socket)?.size) goAway(socket);
        return gone;
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closes), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
      for (const socket of wsServer.clients) socket.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/**
 * Graceful shutdown of the HTTP side, against one deadline for the whole shutdown: `stopListening`
 * closes the listener at once (no new connection is accepted) and from then on every response tells
 * its client `Connection: close`, so keep-alive clients move to another replica; idle keep-alive
 * connections are closed at once. `drain` lets requests in flight finish until the deadline, then cuts
 * whatever is left (`closeAllConnections`).
 */
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Told to a keep-alive client whose answer has not begun: this connection ends with it. */
function closeAfter(response: ServerResponse) {
  if (!response.headersSent) response.setHeader('connection', 'close');
}

export function trackRequests(server: Server) {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  let closed: Promise<void> | undefined;
  server.on('request', (_request, response) => {
    inFlight.add(response);
    // Yoga writes its headers later (its handler is async): this one is still ours to set.
    if (stopping) closeAfter(response);
    response.once('close', () => inFlight.delete(response));
  });
  function stopListening(): Promise<void> {
    if (!closed) {
      stopping = true;
      closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const response of inFlight) closeAfter(response);
    }
    return closed;
  }
  return {
    inFlight: () => inFlight.size,
    stopListening,
    /**
     * Resolves once every HTTP connection is gone: requests in flight had until `deadline` (epoch ms) to
     * finish; connections still open then are cut.
     */
    async drain(deadline: number): Promise<void> {
      const listenerClosed = stopListening();
      while (inFlight.size > 0 && Date.now() < deadline) {
        await sleep(Math.max(1, Math.min(20, deadline - Date.now())));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await listenerClosed;
    },
  };
}

/** `work`, or nothing once `deadline` (epoch ms) has passed: a step of the shutdown that may not hold it longer. */
export async function untilDeadline(work: Promise<unknown> | undefined, deadline: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Graceful shutdown of the HTTP side: stop accepting, let requests in flight finish within a grace
 * period, then cut whatever is left. Idle keep-alive connections are closed at once so clients move
 * to another replica.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export function trackRequests(server: Server) {
  let inFlight = 0;
  server.on('request', (_request, response) => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
    });
  });
  return {
    inFlight: () => inFlight,
    /** Resolves once the server is closed: in-flight requests had up to `graceMs` to finish. */
    async drain(graceMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) {
        await sleep(20);
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * `/health`: liveness, the process answers HTTP (a container's HEALTHCHECK, a load balancer's liveness
 * probe), as JSON `{ "status": "ok" }`. `/ready` (`readiness.ts`) says whether the replica can serve.
 *
 * Yoga answers `/health` itself, with an empty 200, before any plugin of ours runs (its health check
 * leads its plugin list); this gives that answer its body, keeping the headers set on it so far. It is
 * registered before the plugins that add headers to every answer (request id, `cache-control`).
 */
import type { Plugin } from 'graphql-yoga';

const HEALTH_PATH = '/health';
const HEALTHY = JSON.stringify({ status: 'ok' });

export function useHealthBody(): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      // The cheap test first: the URL is parsed only for an answer that may be the health check's.
      if (response.status !== 200 || !request.url.includes(HEALTH_PATH) || new URL(request.url).pathname !== HEALTH_PATH) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.set('cache-control', 'no-store');
      setResponse(new fetchAPI.Response(HEALTHY, { status: 200, headers }));
    },
  };
}

/**
 * A fixed-answer stand-in for Klarna, for `npm run bench -- overhead`: far cheaper than the sandbox, so
 * the gateway is what the benchmark measures.
 *
 * While recording (the start), a call it has no answer for is forwarded to the real sandbox at
 * `FIXED_RECORD_FROM` and its answer (status, content type, body) is kept; `POST /__fixed/freeze` ends
 * recording, after which every call is answered from memory, and a call never recorded is a miss
 * (502, counted) rather than a silent trip to the sandbox. Answers are keyed by method, path (decoded)
 * and query parameters (sorted), plus the `keyid` header (card data is encrypted per key), so two
 * clients that spell the same URL differently share one answer.
 *
 * Admin routes: `GET|DELETE /__fixed/counters` (calls answered, misses, most in flight at once, calls
 * per route, and the first calls answered as the client sent them, `GET /v2/...?...`, to replay),
 * `POST /__fixed/latency {"ms": 50}` (every answer waits that long first), `POST /__fixed/freeze`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

interface Answer {
  /** For the counters, computed once. */
  route: string;
  status: number;
  contentType: string;
  body: Buffer;
}

const recordFrom = process.env.FIXED_RECORD_FROM;
const answers = new Map<string, Answer>();
const recordAgent = new Agent({ keepAliveTimeout: 30_000 });
let recording = Boolean(recordFrom);
let latencyMs = 0;
/** How many calls since the last reset `calls` lists, as the client sent them (method and raw URL). */
const LISTED_CALLS = 100;
let counters = { total: 0, misses: 0, inFlight: 0, peakInFlight: 0, byRoute: {} as Record<string, number>, calls: [] as string[] };

/** The key of a call: `GET /v2/accounts/krn:...?expand=brands,products [keyid=...]`. */
function keyOf(req: IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const query = [...url.searchParams].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => `${name}=${value}`).join('&');
  const keyId = req.headers.keyid ? ` keyid=${String(req.headers.keyid)}` : '';
  return `${req.method} ${decodeURIComponent(url.pathname)}${query ? `?${query}` : ''}${keyId}`;
}

/** A route for the counters: the key without query and key id, Klarna ids (KRNs, UUIDs) as `{id}`. */
const routeOf = (key: string) =>
  key
    .replace(/ keyid=.*$/, '')
    .replace(/\?.*$/, '')
    .replace(/\/(?:[^/]*:[^/]*|[0-9a-f]{8}-[0-9a-f-]{27})(?=\/|$)/g, '/{id}');

async function record(req: IncomingMessage, key: string): Promise<Answer> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length', 'keep-alive'].includes(name)),
  ) as Record<string, string>;
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(await req.toArray());
  const response = await request(`${recordFrom}${req.url}`, { method: req.method as 'GET', headers, dispatcher: recordAgent, ...(body ? { body } : {}) });
  const answer = {
    route: routeOf(key),
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? 'application/json'),
    body: Buffer.from(await response.body.arrayBuffer()),
  };
  answers.set(key, answer);
  return answer;
}

function send(res: ServerResponse, status: number, body: Buffer | string, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const route = `${req.method} ${path}`;
  if (route === 'GET /__fixed/counters') {
    const { total, misses, peakInFlight, byRoute, calls } = counters;
    return send(res, 200, JSON.stringify({ total, misses, peakInFlight, byRoute, calls, recorded: answers.size }));
  }
  if (route === 'DELETE /__fixed/counters') {
    counters = { total: 0, misses: 0, inFlight: counters.inFlight, peakInFlight: 0, byRoute: {}, calls: [] };
    return send(res, 204, '');
  }
  if (route === 'POST /__fixed/latency') {
    const { ms } = JSON.parse(Buffer.concat(await req.toArray()).toString() || '{}') as { ms?: number };
    latencyMs = Number.isFinite(ms) && ms! >= 0 ? ms! : 0;
    return send(res, 200, JSON.stringify({ latencyMs }));
  }
  if (route === 'POST /__fixed/freeze') {
    recording = false;
    return send(res, 200, JSON.stringify({ recorded: answers.size }));
  }
  send(res, 404, JSON.stringify({ error: `no admin route ${route}` }));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path.startsWith('/__fixed/')) return admin(req, res, path);
  const key = keyOf(req);
  counters.inFlight += 1;
  counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
  try {
    let answer = answers.get(key);
    if (!answer && recording) answer = await record(req, key);
    if (!answer) {
      counters.misses += 1;
      console.error(`fixed upstream: no recorded answer for ${key}`);
      return send(res, 502, JSON.stringify({ error_code: 'NOT_RECORDED', error_message: key }));
    }
    counters.total += 1;
    counters.byRoute[answer.route] = (counters.byRoute[answer.route] ?? 0) + 1;
    if (counters.calls.length < LISTED_CALLS) counters.calls.push(`${req.method} ${req.url}`);
    if (latencyMs) await sleep(latencyMs);
    send(res, answer.status, answer.body, answer.contentType);
  } finally {
    counters.inFlight -= 1;
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error('fixed upstream:', error);
    if (!res.headersSent) send(res, 500, JSON.stringify({ error_code: 'INTERNAL' }));
    else res.destroy();
  });
});
// Longer than any client's keep-alive, so the server never closes a connection a client is about to reuse.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(process.env.FIXED_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`Fixed upstream listening on http://127.0.0.1:${port} ${recordFrom ? `(recording from ${recordFrom})` : '(nothing to record from)'}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/**
 * The floor of any Node gateway, for the latency regime of `npm run bench -- overhead`: no GraphQL at
 * all. For every POST it reads and parses the request body, makes a fixed list of upstream calls (the
 * Dashboard's, as a gateway made them) all at once with undici `request` on a keep-alive Agent, parses
 * each answer, and answers one JSON document holding them. What a GraphQL gateway adds at concurrency 1
 * is its latency over this proxy's; what this proxy adds over the direct calls is the machine's (two
 * more loopback hops and a process woken twice), which no gateway code can remove.
 *
 * Environment: `FLOOR_UPSTREAM_URL`, `FLOOR_CALLS` (a JSON array of `"GET /path?query"`, the path and
 * query as the gateway sent them), `FLOOR_HEADERS` (a JSON object sent on every call), `FLOOR_PORT`.
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.FLOOR_UPSTREAM_URL;
const calls = JSON.parse(process.env.FLOOR_CALLS ?? '[]') as string[];
const headers = JSON.parse(process.env.FLOOR_HEADERS ?? '{}') as Record<string, string>;
if (!upstream || !calls.length || calls.some((call) => !call.startsWith('GET /'))) {
  throw new Error('floor proxy: FLOOR_UPSTREAM_URL and FLOOR_CALLS (a non-empty JSON array of "GET /path") are required');
}
const urls = calls.map((call) => `${upstream}${call.slice('GET '.length)}`);
const agent = new Agent({ keepAliveTimeout: 30_000 });

async function call(url: string): Promise<unknown> {
  const response = await request(url, { headers, dispatcher: agent });
  if (response.statusCode !== 200) throw new Error(`upstream answered ${response.statusCode}`);
  return response.body.json();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'the body is not JSON' }));
      return;
    }
    Promise.all(urls.map(call)).then(
      (answers) => {
        const body = JSON.stringify({ data: answers });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`Floor proxy: http://127.0.0.1:${port}/graphql (${urls.length} call(s) a request)`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

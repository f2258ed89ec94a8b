/**
 * OpenTelemetry tracing, end to end: a real gateway exports over OTLP/HTTP (JSON) to a collector stand-in
 * on loopback, and reaches the sandbox through a recording proxy that keeps the `traceparent` of every
 * request Klarna's side received.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DASHBOARD_QUERY } from '../../src/examples.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { gql } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';

const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;
/** Two sandboxes and gateways start here (ajv compiles both contracts each time): slow on a loaded machine. */
const SETUP_TIMEOUT_MS = 180_000;

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  events?: { name: string; attributes?: { key: string; value: OtlpValue }[] }[];
  status?: { code?: number; message?: string };
}

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const closeServer = (server: Server) => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
});

/** A collector stand-in: keeps every OTLP/HTTP export it receives, with the path and content type. */
async function startReceiver() {
  const exports: { path: string; contentType: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      exports.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const url = await listen(server);
  return {
    url,
    exports,
    /** Every span of every export (resource attributes of the first kept aside). */
    spans(): OtlpSpan[] {
      return exports.flatMap(({ body }) =>
        (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((resource) =>
          resource.scopeSpans.flatMap((scope) => scope.spans),
        ),
      );
    },
    resourceAttributes(): Record<string, unknown> {
      const first = JSON.parse(exports[0]!.body) as { resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] } }[] };
      return attributesOf(first.resourceSpans[0]!.resource);
    },
    close: () => closeServer(server),
  };
}

/** Forwards everything to the sandbox, keeping the headers of each request (the sandbox does not expose them). */
async function startRecordingProxy(target: string) {
  const received: IncomingHttpHeaders[] = [];
  const { hostname, port } = new URL(target);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/__sandbox')) received.push(req.headers);
    const upstream = httpRequest({ hostname, port, path: req.url, method: req.method, headers: { ...req.headers, host: `${hostname}:${port}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { url: await listen(server), received, close: () => closeServer(server) };
}

function valueOf(value: OtlpValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}
function attributesOf(holder: { attributes?: { key: string; value: OtlpValue }[] }): Record<string, unknown> {
  return Object.fromEntries((holder.attributes ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparent = (traceId: string, parentId: string) => `00-${traceId}-${parentId}-01`;

async function startTracedGateway(sandbox: Sandbox, upstreamUrl: string, env: Record<string, string>): Promise<RunningGateway> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', ...env });
  return startGateway(
    config,
    { managementUrl: upstreamUrl, cardServiceUrl: upstreamUrl, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
    { logger: createLogger({ level: 'silent' }) },
  );
}

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let sandbox: Sandbox;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const authorization = () => `Basic ${sandbox.credentials.apiKey}`;

  // Three operations, each in its own trace the "client" started: the dashboard, a NOT_FOUND, a retried read.
  const dashboard = { traceId: hex(16), parentId: hex(8), upstreamCalls: 0, traceparents: [] as string[] };
  const missing = { traceId: hex(16), parentId: hex(8) };
  const retried = { traceId: hex(16), parentId: hex(8) };
  let spans: OtlpSpan[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, validateResponses: true });
    proxy = await startRecordingProxy(sandbox.url);
    receiver = await startReceiver();
    const gateway = await startTracedGateway(sandbox, proxy.url, { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_SERVICE_NAME: 'gateway-under-test' });

    await admin(sandbox, 'DELETE', '/counters');
    proxy.received.length = 0;
    const headers = (trace: { traceId: string; parentId: string }) => ({ authorization: authorization(), traceparent: traceparent(trace.traceId, trace.parentId) });
    const answer = await gql(gateway, DASHBOARD_QUERY, {}, headers(dashboard));
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.account.name).toBe('Merchant ABC US');
    dashboard.upstreamCalls = (await admin<{ total: number }>(sandbox, 'GET', '/counters')).total;
    dashboard.traceparents = proxy.received.map((received) => String(received.traceparent));

    const notFound = await gql(gateway, 'query Missing { account(id: "krn:partner:global:account:live:NOPE0000") { name } }', {}, headers(missing));
    expect(notFound.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    await admin(sandbox, 'POST', '/faults', { operationId: 'getAccount', errorRates: { 503: 1 }, times: 1, retryAfterSeconds: 0 });
    const again = await gql(gateway, `query Retried { account(id: "${DOCS_ACCOUNT_ID}") { name } }`, {}, headers(retried));
    expect(again.body.errors).toBeUndefined();

    // Spans are batched: closing the gateway exports what is left (graceful shutdown flushes).
    await gateway.close();
    spans = receiver.spans();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await receiver?.close();
    await proxy?.close();
    const violations = sandbox?.responseViolations ?? [];
    await sandbox?.close();
    expect(violations).toEqual([]);
  });

  it('exports OTLP/HTTP JSON to <endpoint>/v1/traces, as the configured service', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const { path, contentType } of receiver.exports) {
      expect(path).toBe('/v1/traces');
      expect(contentType).toMatch(/^application\/json/);
    }
    expect(receiver.resourceAttributes()).toMatchObject({ 'service.name': 'gateway-under-test', 'service.version': expect.any(String) });
  });

  it('makes one SERVER span per operation, named by type and name, continuing the caller\'s trace', () => {
    const [operation, ...others] = spans.filter((span) => span.traceId === dashboard.traceId && span.kind === SERVER);
    expect(others).toEqual([]);
    expect(operation).toMatchObject({ name: 'query Dashboard', parentSpanId: dashboard.parentId });
    expect(operation!.status?.code).not.toBe(STATUS_ERROR);
    const attributes = attributesOf(operation!);
    expect(attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Dashboard',
      'gateway.request_id': expect.any(String),
      'gateway.principal_hash': expect.stringMatching(/^[0-9a-f]{16,64}$/),
      'gateway.upstream_calls': dashboard.upstreamCalls,
    });
    expect(attributes).not.toHaveProperty('graphql.document');
    expect(attributes).not.toHaveProperty('graphql.error.codes');
  });

  it('makes one CLIENT span per upstream call, each a child of the operation span, and sends its context to Klarna', () => {
    const operation = spans.find((span) => span.traceId === dashboard.traceId && span.kind === SERVER)!;
    const calls = spans.filter((span) => span.traceId === dashboard.traceId && span.kind === CLIENT);
    expect(dashboard.upstreamCalls).toBeGreaterThanOrEqual(2);
    expect(calls).toHaveLength(dashboard.upstreamCalls);
    for (const call of calls) {
      expect(call.parentSpanId).toBe(operation.spanId);
      expect(call.name).toMatch(/^GET [a-zA-Z]+$/);
      const attributes = attributesOf(call);
      expect(attributes).toMatchObject({
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(proxy.url).port),
        'klarna.api': expect.stringMatching(/^(Partner Management API|Merchant Card Service)$/),
        'klarna.operation': call.name.slice('GET '.length),
        'http.response.status_code': 200,
      });
      expect(attributes['url.path']).toMatch(/^\/[^?]*$/);
    }
    expect(calls.map((call) => call.name)).toContain('GET getAccount');

    // What the sandbox received: one traceparent per request, in the caller's trace, naming its CLIENT span as parent.
    expect(dashboard.traceparents).toHaveLength(dashboard.upstreamCalls);
    const callIds = new Set(calls.map((call) => call.spanId));
    for (const header of dashboard.traceparents) {
      const [, traceId, parentId] = header.split('-');
      expect(traceId).toBe(dashboard.traceId);
      expect(callIds.has(parentId!)).toBe(true);
    }
  });

  it('marks an operation that failed with error status and its error codes', () => {
    const operation = spans.find((span) => span.traceId === missing.traceId && span.kind === SERVER)!;
    expect(operation).toMatchObject({ name: 'query Missing', parentSpanId: missing.parentId });
    expect(operation.status?.code).toBe(STATUS_ERROR);
    expect(attributesOf(operation)['graphql.error.codes']).toEqual(['NOT_FOUND']);
    const [call] = spans.filter((span) => span.traceId === missing.traceId && span.kind === CLIENT);
    expect(call).toMatchObject({ name: 'GET getAccount', parentSpanId: operation.spanId, status: { code: STATUS_ERROR } });
    expect(attributesOf(call!)).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404' });
  });

  it('records a retried call as one CLIENT span with a retry event and the resend count', () => {
    const calls = spans.filter((span) => span.traceId === retried.traceId && span.kind === CLIENT);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(attributesOf(call!)).toMatchObject({ 'http.request.resend_count': 1, 'http.response.status_code': 200 });
    expect(call!.status?.code).not.toBe(STATUS_ERROR);
    expect(call!.events?.map((event) => [event.name, attributesOf(event)])).toEqual([
      ['retry', { 'http.request.resend_count': 1, 'klarna.retry.reason': '503', 'klarna.retry.wait_ms': expect.any(Number) }],
    ]);
  });

  it('never exports credentials: no Authorization value, Klarna key or "Basic " anywhere in a span', () => {
    const everything = receiver.exports.map(({ body }) => body).join('\n');
    expect(everything).not.toContain(sandbox.credentials.apiKey);
    expect(everything).not.toContain(authorization());
    expect(everything).not.toContain('Basic ');
    expect(everything.toLowerCase()).not.toContain('authorization');
  });
});

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT unset)', () => {
  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/);
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('sends nothing and propagates no trace context', async () => {
    const sandbox = await startSandbox({ accounts: 0 });
    const proxy = await startRecordingProxy(sandbox.url);
    const receiver = await startReceiver();
    // In the process environment but not in the gateway's config: nothing may read it behind the config's back.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    try {
      const gateway = await startTracedGateway(sandbox, proxy.url, {});
      const answer = await gql(gateway, `query Plain { account(id: "${DOCS_ACCOUNT_ID}") { name } }`, {}, { traceparent: traceparent(hex(16), hex(8)) });
      expect(answer.body.errors).toBeUndefined();
      await gateway.close();
      expect(proxy.received.length).toBeGreaterThan(0);
      expect(proxy.received.map((headers) => headers.traceparent)).toEqual(proxy.received.map(() => undefined));
      expect(receiver.exports).toEqual([]);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      await receiver.close();
      await proxy.close();
      await sandbox.close();
    }
  }, SETUP_TIMEOUT_MS);
});

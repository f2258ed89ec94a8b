/**
 * `x-request-id` on every answer: the caller's own when usable, else one the gateway makes, which is
 * also the one in the log line and the one Klarna receives as `Partner-Correlation-Id`. Klarna is
 * played here by a recorder that notes that header and answers 404 (so the same query shows an error).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { gql } from '../utils/gateway.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUERY = '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }';

const lines: string[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
const entries = () => lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('x-request-id', () => {
  const received: IncomingHttpHeaders[] = [];
  let klarna: Server;
  let gateway: RunningGateway;

  beforeAll(async () => {
    klarna = createServer((incoming, answer) => {
      received.push(incoming.headers);
      answer.writeHead(404, { 'content-type': 'application/json' });
      answer.end(JSON.stringify({ error_id: 'e-1', error_type: 'RESOURCE_ERROR', error_code: 'RESOURCE_NOT_FOUND', error_message: 'Not found.' }));
    });
    await new Promise<void>((resolve) => klarna.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(klarna.address() as AddressInfo).port}`;
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', MAX_REQUEST_BYTES: '2048', UPSTREAM_MAX_ATTEMPTS: '1' });
    gateway = await startGateway(config, { managementUrl: origin, cardServiceUrl: origin, serverAuthorization: 'Basic test-key' }, { logger });
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise<void>((resolve) => klarna.close(() => resolve()));
  });

  it("echoes the caller's own id, sends it to Klarna and logs it", async () => {
    received.length = 0;
    const answer = await gql(gateway, QUERY, {}, { 'x-request-id': 'phone-crash-0001' });
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(answer.headers['x-request-id']).toBe('phone-crash-0001');
    expect(received.map((headers) => headers['partner-correlation-id'])).toEqual(['phone-crash-0001']);
    expect(entries().filter((entry) => entry.msg === 'operation').at(-1)).toMatchObject({ requestId: 'phone-crash-0001', outcome: 'error' });
  });

  it('makes one when the caller sends none, and it is the one logged and sent to Klarna as Partner-Correlation-Id', async () => {
    received.length = 0;
    const answer = await gql(gateway, QUERY);
    const id = answer.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(received.map((headers) => headers['partner-correlation-id'])).toEqual([id]);
    expect(entries().filter((entry) => entry.msg === 'operation').at(-1)).toMatchObject({ requestId: id, outcome: 'error' });
  });

  it('replaces an id it would not pass on (too short, or with other characters) with one of its own', async () => {
    for (const unusable of ['short', 'has spaces in it']) {
      const answer = await gql(gateway, '{ __typename }', {}, { 'x-request-id': unusable });
      expect(answer.headers['x-request-id'], unusable).toMatch(UUID);
    }
  });

  it('answers a query that needs no Klarna call with one too, a new one each time', async () => {
    const first = await gql(gateway, '{ __typename }');
    const second = await gql(gateway, '{ __typename }');
    expect(first.body).toEqual({ data: { __typename: 'Query' } });
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it('is on a refused request, the same one as in its log line', async () => {
    const response = await request(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(4096)}` }),
    });
    await response.body.dump();
    expect(response.statusCode).toBe(413);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(entries().filter((entry) => entry.msg === 'request refused').at(-1)).toMatchObject({ requestId: id, status: 413 });
  });

  it('is on the endpoints besides /graphql: /health, /ready, /metrics, an unknown path and a CORS preflight', async () => {
    const answers = await Promise.all(
      [
        request(`${gateway.url}/health`),
        request(`${gateway.url}/ready`),
        request(`${gateway.url}/metrics`),
        request(`${gateway.url}/nowhere`),
        request(gateway.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } }),
      ].map(async (asked) => {
        const response = await asked;
        await response.body.dump();
        return response.headers['x-request-id'];
      }),
    );
    for (const id of answers) expect(id).toMatch(UUID);
    const health = await request(`${gateway.url}/health`, { headers: { 'x-request-id': 'probe-0000-0001' } });
    await health.body.dump();
    expect(health.headers['x-request-id']).toBe('probe-0000-0001');
  });
});

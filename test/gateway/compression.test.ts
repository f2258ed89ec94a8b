/**
 * Compressed answers (`src/plugins/compression.ts`): gzip and brotli as `Accept-Encoding` asks, whole
 * answers from `COMPRESSION_MIN_BYTES` on, `@defer` over multipart compressed and still streamed part by
 * part (the sandbox holds the deferred call until the test has decompressed the first part), SSE left
 * uncompressed and streaming.
 */
import zlib from 'node:zlib';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/plugins/compression.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { DASHBOARD_QUERY } from '../../src/examples.ts';
import { useGateway } from '../utils/gateway.ts';
import { ingressUrl, productEvent, sendWebhook, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { admin, waitingUpstream } from '../utils/sandbox.ts';

const DEFERRED = `query ($id: ID!) {
  account(id: $id) { name ... @defer { complianceDecisions(first: 5) { edges { node { klarnaId } } } } }
}`;

describe('negotiateEncoding', () => {
  it.each([
    ['gzip, deflate, br', 'gzip'],
    ['br', 'br'],
    ['gzip;q=0.8, br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP ; q=0.8', 'gzip'],
    ['gzip;q=0.5, br;q=0.1', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'gzip'],
    ['*;q=0.5, br', 'br'],
    ['*;q=0.3, br;q=0', 'gzip'],
    ['gzip;q=0.2, identity;q=0.5', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['gzip;q=0', undefined],
    ['gzip;q=abc', undefined],
    ['', undefined],
  ])('answers %j in %s', (header, coding) => {
    expect(negotiateEncoding(header)).toBe(coding);
  });
});

describe('compression', () => {
  const context = useGateway({ sandbox: { accounts: 3 }, env: { ...WEBHOOK_ENV, COMPRESSION_MIN_BYTES: '1024' } });

  async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.statusCode, headers: response.headers, bytes: Buffer.from(await response.body.arrayBuffer()) };
  }

  let plain: Buffer;
  beforeAll(async () => {
    plain = (await post(DASHBOARD_QUERY, { id: DOCS_ACCOUNT_ID }, {})).bytes;
    expect(plain.length).toBeGreaterThan(1024);
  });

  it.each([
    ['gzip', zlib.gunzipSync],
    ['br', zlib.brotliDecompressSync],
  ] as const)('answers the Dashboard in %s, decoding to the plain answer', async (coding, decode) => {
    const answer = await post(DASHBOARD_QUERY, { id: DOCS_ACCOUNT_ID }, { 'accept-encoding': coding === 'br' ? 'gzip;q=0.9, br' : 'gzip, br;q=0.1' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe(coding);
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    expect(answer.bytes.length).toBeLessThan(plain.length / 2);
    expect(decode(answer.bytes).equals(plain)).toBe(true);
  });

  it('sends the plain answer to a client that accepts no coding, with Vary all the same', async () => {
    const answer = await post(DASHBOARD_QUERY, { id: DOCS_ACCOUNT_ID }, { 'accept-encoding': 'identity' });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toMatch(/accept-encoding/i);
    expect(answer.bytes.equals(plain)).toBe(true);
  });

  it('leaves an answer under the threshold uncompressed', async () => {
    const answer = await post('query ($id: ID!) { account(id: $id) { name } }', { id: DOCS_ACCOUNT_ID }, { 'accept-encoding': 'gzip, br' });
    expect(answer.bytes.length).toBeLessThan(1024);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(answer.bytes.toString())).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });

  it.each([
    ['gzip', () => zlib.createGunzip()],
    ['br', () => zlib.createBrotliDecompress()],
  ] as const)('streams @defer over multipart/mixed in %s, each part flushed as it is sent', async (coding, decompressor) => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'listComplianceDecisions', hold: true, times: 1, gateTimeoutMs: 15_000 });
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed', 'accept-encoding': coding },
      body: JSON.stringify({ query: DEFERRED, variables: { id: DOCS_ACCOUNT_ID } }),
    });
    expect(response.headers['content-encoding']).toBe(coding);
    expect(String(response.headers['content-type'])).toMatch(/^multipart\/mixed/);
    const payloads: any[] = [];
    let heldWhenFirstPartArrived = -1;
    let text = '';
    for await (const chunk of response.body.pipe(decompressor())) {
      text += chunk.toString();
      for (let end = text.indexOf('\r\n---'); end >= 0; end = text.indexOf('\r\n---')) {
        const block = text.slice(0, end);
        text = text.slice(end + 5);
        const json = block.slice(block.indexOf('\r\n\r\n') + 4);
        if (!json.trim().startsWith('{')) continue;
        payloads.push(JSON.parse(json));
        if (payloads.length === 1) {
          // The first part was decompressed while the deferred call was still held upstream.
          heldWhenFirstPartArrived = await waitingUpstream(context.sandbox);
          await admin(context.sandbox, 'POST', '/faults/release');
        }
      }
    }
    expect(heldWhenFirstPartArrived).toBe(1);
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toEqual({ data: { account: { name: 'Merchant ABC US' } }, hasNext: true });
    expect(payloads[1]).toMatchObject({ incremental: [{ path: ['account'], data: { complianceDecisions: { edges: expect.any(Array) } } }], hasNext: false });
  });

  it('leaves server-sent events uncompressed, and a subscription over them still delivers', async () => {
    await subscribed(context.gateway, 0);
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'accept-encoding': 'gzip, br' },
      body: JSON.stringify({ query: 'subscription ($id: ID!) { accountEvents(accountId: $id) { klarnaEventId } }', variables: { id: DOCS_ACCOUNT_ID } }),
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    // (Yoga marks event streams `Content-Encoding: none`, so that proxies leave them alone too.)
    expect([undefined, 'none']).toContain(response.headers['content-encoding']);
    await subscribed(context.gateway, 1);
    const event = productEvent();
    expect((await sendWebhook(ingressUrl(context.gateway), event)).status).toBe(202);
    let text = '';
    for await (const chunk of response.body) {
      text += chunk.toString();
      if (/^event: next$/m.test(text) && text.includes('\n\n', text.indexOf('event: next'))) break;
    }
    const data = JSON.parse(/^event: next\ndata: (.*)$/m.exec(text)![1]!);
    expect(data.data.accountEvents.klarnaEventId).toBe(event.metadata.event_id);
    response.body.destroy();
    await subscribed(context.gateway, 0);
  });
});

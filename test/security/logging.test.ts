/**
 * The gateway's logs: one structured line per operation, and no secret anywhere in them, even at
 * `trace` level, while it handles credentials, a new API key, encrypted card data and signed webhooks.
 */
import { describe, expect, it } from 'vitest';
import { principalFor } from '../../src/context.ts';
import { createLogger, redactSecrets } from '../../src/logger.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { gql, useGateway } from '../utils/gateway.ts';
import { ingressUrl, productEvent, sendWebhook, SIGNING_KEY, WEBHOOK_ENV } from '../utils/events.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const lines: string[] = [];
const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
const entries = () => lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
const operation = (name: string) => entries().find((entry) => entry.msg === 'operation' && entry.operationName === name);

describe('operation log', () => {
  const context = useGateway({ logger, env: WEBHOOK_ENV });
  const credentials = { authorization: `Basic ${DEMO_CREDENTIALS.apiKey}` };

  it('writes one line per operation with its name, request id, principal hash, duration, upstream calls and outcome', async () => {
    await gql(context.gateway, `query AccountName { account(id: "${ACCOUNT}") { name } }`, {}, { ...credentials, 'x-request-id': 'req-log-test-0001' });
    await gql(context.gateway, `query Missing { account(id: "krn:partner:global:account:live:NOSUCH00") { name } }`, {}, credentials);
    await gql(context.gateway, `query Greedy { ${Array.from({ length: 20 }, (_, i) => `a${i}: apiKeys { klarnaId }`).join(' ')} }`);

    expect(operation('AccountName')).toMatchObject({
      operationType: 'query',
      requestId: 'req-log-test-0001',
      principal: principalFor(credentials.authorization).hash,
      upstreamCalls: 1,
      outcome: 'ok',
      durationMs: expect.any(Number),
    });
    expect(operation('Missing')).toMatchObject({ outcome: 'error', errorCodes: ['NOT_FOUND'], upstreamCalls: 1 });
    expect(operation('Greedy')).toMatchObject({ outcome: 'refused', errorCodes: ['TOO_MANY_ALIASES'], upstreamCalls: 0, requestId: expect.any(String) });
  });

  it('logs no credentials, API key secrets, card data or webhook signatures', async () => {
    // Credentials in a header, a new API key's secret in an answer.
    const created = await gql(
      context.gateway,
      `mutation NewKey { createApiKey(input: { description: "log test" }) { ... on CreateApiKeyPayload { secret } } }`,
      {},
      credentials,
    );
    const secret: string = created.body.data.createApiKey.secret;
    expect(secret.length).toBeGreaterThan(10);
    // A key nobody has: refused by Klarna. And a failing operation whose document holds a literal.
    await gql(context.gateway, `{ account(id: "${ACCOUNT}") { name } }`, {}, { authorization: 'Basic not-a-key-but-secret-0123456789' });
    await gql(context.gateway, `{ credential(id: "krn:partner:global:credential:api-key:literal-in-the-document") { klarnaId } }`, {}, credentials);

    // Card data in an answer.
    const orderId = `order-log-${Date.now()}`;
    const promise = await gql(
      context.gateway,
      `mutation Promise($input: CreateCardPromiseInput!) { createCardPromise(input: $input) { __typename } }`,
      { input: { orderId, cards: [{ reference: 'card-1', amount: 12_500, currency: 'EUR' }] } },
      credentials,
    );
    expect(promise.body.data.createCardPromise.__typename).toBe('CreateCardPromisePayload');
    const settled = await gql(
      context.gateway,
      `mutation Settle($input: CreateCardSettlementInput!) { createCardSettlement(input: $input) { ... on CreateCardSettlementPayload { settlement { cards { encrypted { pciData iv aesKey } } } } } }`,
      { input: { orderId, keyId: DEMO_CREDENTIALS.keyId } },
      credentials,
    );
    const card = settled.body.data.createCardSettlement.settlement.cards[0].encrypted as { pciData: string; iv: string; aesKey: string };
    expect(card.pciData.length).toBeGreaterThan(10);

    // A signed webhook, and a forged one.
    const event = productEvent();
    const signature = signWebhookBody(JSON.stringify(event), SIGNING_KEY);
    expect((await sendWebhook(ingressUrl(context.gateway), event)).status).toBe(202);
    expect((await sendWebhook(ingressUrl(context.gateway), productEvent(), { signature: 'f'.repeat(64) })).status).toBe(401);

    // Careless lines redact too.
    logger.info({ secret, req: { headers: { authorization: credentials.authorization, 'klarna-signature': signature } }, payload: { cards: [card] } }, 'careless');

    expect(operation('NewKey')).toMatchObject({ outcome: 'ok', upstreamCalls: 1 });
    expect(operation('Settle')).toMatchObject({ outcome: 'ok' });
    expect(entries().some((entry) => entry.msg === 'webhook accepted')).toBe(true);
    expect(entries().find((entry) => entry.msg === 'careless')?.secret).toBe('[redacted]');
    const text = lines.join('');
    for (const value of [DEMO_CREDENTIALS.apiKey, 'not-a-key-but-secret-0123456789', secret, card.pciData, card.iv, card.aesKey, signature, SIGNING_KEY, 'f'.repeat(64), 'literal-in-the-document']) {
      expect(text.includes(value), `"${value.slice(0, 12)}…" in the logs`).toBe(false);
    }
  });
});

describe('redactSecrets', () => {
  it('redacts secret keys up to two objects or arrays deep, copying only what it changes', () => {
    const error = Object.assign(new Error('boom'), { authorization: 'Basic abc' });
    const line = { operationName: 'Q', secret: 's', req: { headers: { authorization: 'Basic abc', accept: 'x' } }, list: [{ iv: 'i' }], deep: { a: { b: { secret: 'kept: three deep' } } }, error };
    const redacted = redactSecrets(line);
    expect(redacted).toMatchObject({ operationName: 'Q', secret: '[redacted]', req: { headers: { authorization: '[redacted]', accept: 'x' } }, list: [{ iv: '[redacted]' }] });
    expect(redacted.deep).toBe(line.deep);
    expect(redacted.error).toBeInstanceOf(Error);
    expect(redacted.error.message).toBe('boom');
    expect((redacted.error as Error & { authorization: string }).authorization).toBe('[redacted]');
    // The logged object is left as it was.
    expect(line.req.headers.authorization).toBe('Basic abc');
    expect(line.list[0]!.iv).toBe('i');
    expect(error.authorization).toBe('Basic abc');
    const plain = { operationName: 'Q', durationMs: 1, errorCodes: ['NOT_FOUND'] };
    expect(redactSecrets(plain)).toBe(plain);
  });
});

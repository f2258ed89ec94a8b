/**
 * Helpers for the live-event tests: gateways with a webhook signing key (several may share one
 * sandbox, and a Redis), Klarna-style signed webhooks, and graphql-ws subscribers that record what
 * they receive and how their socket closed.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { request } from 'undici';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID, DOCS_PRODUCT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';

export const SIGNING_KEY_ID = 'test-key-1';
export const SIGNING_KEY = 'test-signing-secret-1';
export const WEBHOOK_ENV = { WEBHOOK_SIGNING_KEYS: JSON.stringify({ [SIGNING_KEY_ID]: SIGNING_KEY }) };

/** A gateway over `sandbox` with the test signing key (and whatever `env` adds, e.g. REDIS_URL). */
export async function startEventGateway(sandbox: Sandbox, env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', ...WEBHOOK_ENV, ...env });
  return startGateway(
    config,
    { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
    { logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) },
  );
}

export const ingressUrl = (gateway: Pick<RunningGateway, 'url'>, path = '/webhooks/klarna') => `${gateway.url}${path}`;

/** A product-disabled event of the docs' account (the demo principal's), as Klarna would send it. */
export function productEvent(overrides: { eventId?: string; accountId?: string; productId?: string; state?: string } = {}) {
  const accountId = overrides.accountId ?? DOCS_ACCOUNT_ID;
  const productId = overrides.productId ?? DOCS_PRODUCT_ID;
  const state = overrides.state ?? 'DISABLED';
  return {
    metadata: {
      event_id: overrides.eventId ?? randomUUID(),
      event_type: `partner.account.product.payment.state-change.${state === 'ENABLED' ? 'enabled' : 'disabled'}`,
      event_version: 'v2',
      occurred_at: new Date().toISOString(),
      subject_account_id: accountId,
      recipient_account_id: 'krn:partner:global:account:test:SANDBOX1',
      product_instance_id: productId,
      webhook_id: 'krn:partner:global:notification:webhook:test',
      live: false,
    },
    payload: { partner_account_id: accountId, product_id: productId, state, state_reason: state === 'ENABLED' ? 'APPROVED' : 'FRAUD_BY_PARTNER' },
  };
}

export interface SendOptions {
  keyId?: string;
  key?: string;
  /** Send this signature instead of the right one (`null`: none). */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** POSTs a webhook body (an object is JSON-encoded), signed as Klarna signs it unless told otherwise. */
export async function sendWebhook(url: string, body: unknown, options: SendOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = options.signature === undefined ? signWebhookBody(raw, options.key ?? SIGNING_KEY) : options.signature;
  const response = await request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'klarna-signing-key-id': options.keyId ?? SIGNING_KEY_ID,
      ...(signature === null ? {} : { 'klarna-signature': signature }),
      ...options.headers,
    },
    body: raw,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
}

/** A graphql-ws subscription that records its results, its error and how its socket closed. */
export interface Subscriber {
  results: { data?: any; errors?: any[] }[];
  /** The field's value of every result that had one, in order. */
  events: () => any[];
  error: unknown;
  closeCode: number | undefined;
  completed: boolean;
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  waitUntilClosed(timeoutMs?: number): Promise<number | undefined>;
  /** Resolves once the server acknowledged the connection (credentials accepted). */
  connected: Promise<void>;
  dispose(): Promise<void>;
}

export function subscribe(
  gateway: Pick<RunningGateway, 'graphqlUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  connectionParams: Record<string, unknown> = {},
  /** Headers of the WebSocket upgrade request. */
  headers: Record<string, string> = {},
): Subscriber {
  let resolveConnected!: () => void;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const subscriber: Subscriber = {
    results: [],
    events: () => subscriber.results.filter((r) => r.data).map((r) => Object.values(r.data as object)[0]),
    error: undefined,
    closeCode: undefined,
    completed: false,
    connected,
    waitFor: (count, timeoutMs = 30_000) => until(() => subscriber.results.length >= count || subscriber.completed, timeoutMs, `${count} results`).then(() => subscriber.events()),
    waitUntilClosed: (timeoutMs = 30_000) => until(() => subscriber.closeCode !== undefined, timeoutMs, 'close').then(() => subscriber.closeCode),
    async dispose() {
      await client.dispose();
    },
  };
  function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(subscriber.results)}`)), timeoutMs);
      const check = () => (done() ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });
  }
  const client: Client = createClient({
    url: gateway.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    retryAttempts: 0,
    lazy: false,
    connectionParams,
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        subscriber.closeCode = (event as { code?: number }).code;
        changed();
      },
    },
    onNonLazyError: () => undefined,
  });
  client.subscribe(
    { query, variables },
    {
      next: (result) => {
        subscriber.results.push(result as Subscriber['results'][number]);
        changed();
      },
      error: (error) => {
        subscriber.error = error;
        subscriber.completed = true;
        changed();
      },
      complete: () => {
        subscriber.completed = true;
        changed();
      },
    },
  );
  return subscriber;
}

/** Resolves after `ms` (only where a test must prove that something does NOT happen for a while). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `gateway` serves exactly `count` subscriptions: registered ones miss none of the events
 * sent next; 0 after disposing subscribers means the server has let them go.
 */
export async function subscribed(gateway: RunningGateway, count = 1, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (gateway.events.bus.subscribers() !== count) {
    if (Date.now() > deadline) throw new Error(`${gateway.events.bus.subscribers()} subscriptions, not ${count}`);
    await sleep(10);
  }
}

/**
 * The webhook replay window on a fake clock: an event is accepted inside it, and a replay of the same
 * signed body is a duplicate while its id is remembered and too old after, never accepted twice.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import type { EventFacts } from '../../src/webhooks/events.ts';
import { useWebhookIngress, type IngressOptions, type WebhookVerdict } from '../../src/webhooks/ingress.ts';
import type { EventBus } from '../../src/webhooks/memory-bus.ts';
import { MAX_FUTURE_MS, replayWindowProblem } from '../../src/webhooks/replay-window.ts';
import { productEvent } from '../utils/events.ts';

const HOUR = 3_600_000;
const KEY_ID = 'key-1';
const SECRET = 'secret-1';

/** A bus that remembers keys for exactly the TTL it is given, on the test's clock. */
function rememberingBus(now: () => number) {
  const seen = new Map<string, number>();
  const ttls: number[] = [];
  const bus = {
    async publishOnce(key: string, ttlMs: number, _facts: EventFacts) {
      ttls.push(ttlMs);
      const until = seen.get(key);
      if (until !== undefined && until > now()) return undefined;
      seen.set(key, now() + ttlMs);
      return `${now()}-0`;
    },
  } as unknown as EventBus;
  return { bus, ttls };
}

function ingress(options: Partial<IngressOptions> & { now: () => number; bus: EventBus }) {
  const verdicts: WebhookVerdict[] = [];
  const plugin = useWebhookIngress({
    path: '/webhooks/klarna',
    maxBytes: 65_536,
    signingKeys: { [KEY_ID]: SECRET },
    logger: createLogger({ level: 'silent' }),
    onVerdict: (verdict) => verdicts.push(verdict),
    ...options,
  });
  async function send(body: string): Promise<number> {
    let answer: Response | undefined;
    const request = new Request('http://gateway.test/webhooks/klarna', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'klarna-signing-key-id': KEY_ID, 'klarna-signature': signWebhookBody(body, SECRET) },
      body,
    });
    await (plugin.onRequest as (payload: unknown) => Promise<void>)({ request, url: new URL(request.url), endResponse: (response: Response) => (answer = response), fetchAPI: { Response } });
    return answer!.status;
  }
  return { send, verdicts };
}

describe('webhook replay window', () => {
  it('names what is wrong with an occurred_at outside the window, and nothing inside it', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(replayWindowProblem('2025-06-01T11:00:00+00:00', now, 24 * HOUR)).toBeUndefined();
    expect(replayWindowProblem('2025-05-31T12:00:00Z', now, 24 * HOUR)).toBeUndefined();
    expect(replayWindowProblem('2025-05-31T11:59:59Z', now, 24 * HOUR)).toMatch(/more than 24 h ago/);
    expect(replayWindowProblem('2025-06-01T14:00:00+02:00', now, 24 * HOUR)).toBeUndefined(); // same instant, another offset
    expect(replayWindowProblem('2025-06-01T12:05:00Z', now, 24 * HOUR)).toBeUndefined();
    expect(replayWindowProblem('2025-06-01T12:05:01Z', now, 24 * HOUR)).toMatch(/more than 5 min in the future/);
  });

  it('never accepts a signed body twice: a duplicate while its id is remembered, too old after', async () => {
    let clock = Date.parse('2025-06-01T12:00:00Z');
    const now = () => clock;
    const { bus, ttls } = rememberingBus(now);
    const { send, verdicts } = ingress({ now, bus, maxAgeMs: 24 * HOUR });
    const event = productEvent();
    const body = JSON.stringify({ ...event, metadata: { ...event.metadata, occurred_at: new Date(clock).toISOString() } });

    expect(await send(body)).toBe(202);
    expect(ttls).toEqual([24 * HOUR + MAX_FUTURE_MS]); // ids outlive the window
    for (const laterMs of [HOUR, 21.5 * HOUR, 24 * HOUR]) {
      clock = Date.parse('2025-06-01T12:00:00Z') + laterMs;
      expect(await send(body), `${laterMs / HOUR} h later`).toBe(200);
    }
    for (const laterMs of [24 * HOUR + 1, 72 * HOUR]) {
      clock = Date.parse('2025-06-01T12:00:00Z') + laterMs;
      expect(await send(body), `${laterMs / HOUR} h later`).toBe(400);
    }
    expect(verdicts).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'stale', 'stale']);
  });
});

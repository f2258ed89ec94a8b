/**
 * Klarna's webhook delivery, as the sandbox performs it: the `{ metadata, payload }` envelope, signed
 * with HMAC-SHA256 over the raw body (`Klarna-Signature`, lower-case hex; `Klarna-Signing-Key-Id`),
 * POSTed to every subscriber whose filters match, and retried on failure on a backoff schedule. As with
 * Klarna, a receiver that answered slowly or failed may see the same event id again.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { z } from 'zod';
import type { Clock } from './clock.ts';

export const webhookSubscriberSchema = z.object({
  url: z.url(),
  signingKeyId: z.string().min(1),
  signingKey: z.string().min(1),
  /** Only events whose recipient (the owning partner) is this principal; absent means all. */
  principalId: z.string().optional(),
  /** Only these event types; absent means all. */
  eventTypes: z.array(z.string()).optional(),
});
export type WebhookSubscriber = z.infer<typeof webhookSubscriberSchema>;

export interface WebhookEventInput {
  eventType: string;
  subjectAccountId: string;
  recipientAccountId: string;
  payload: Record<string, unknown>;
  productInstanceId?: string;
  eventVersion?: string;
}

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  url: string;
  attempt: number;
  /** HTTP status, or 0 when the request failed without one. */
  status: number;
  at: string;
}

/** Klarna's documented retry delays after a failed delivery: +10 s, +2 min, +15 min, +3 h, +6 h, +12 h. */
export const KLARNA_RETRY_SCHEDULE_MS = [10_000, 120_000, 900_000, 10_800_000, 21_600_000, 43_200_000];

export function signWebhookBody(body: string, signingKey: string): string {
  return createHmac('sha256', signingKey).update(body).digest('hex');
}

export function createWebhookEmitter({
  clock,
  subscribers: initial = [],
  retryScheduleMs = KLARNA_RETRY_SCHEDULE_MS,
  live = false,
  timeoutMs = 5_000,
}: {
  clock: Clock;
  subscribers?: WebhookSubscriber[];
  retryScheduleMs?: number[];
  live?: boolean;
  timeoutMs?: number;
}) {
  const subscribers = [...initial];
  const attempts: DeliveryAttempt[] = [];
  const events: Record<string, unknown>[] = [];
  const agent = new Agent({ keepAliveTimeout: 10_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  let closed = false;

  async function deliver(subscriber: WebhookSubscriber, envelope: { metadata: Record<string, unknown> }, body: string, attempt: number) {
    if (closed) return;
    let status: number;
    try {
      const response = await request(subscriber.url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'klarna-signature': signWebhookBody(body, subscriber.signingKey),
          'klarna-signing-key-id': subscriber.signingKeyId,
        },
        body,
      });
      status = response.statusCode;
      await response.body.dump();
    } catch {
      status = 0;
    }
    attempts.push({
      eventId: String(envelope.metadata.event_id),
      eventType: String(envelope.metadata.event_type),
      url: subscriber.url,
      attempt,
      status,
      at: clock.iso(),
    });
    const delivered = status >= 200 && status < 300;
    const delay = retryScheduleMs[attempt - 1];
    if (!delivered && delay !== undefined && !closed) {
      clock.schedule(clock.now() + delay, () => void deliver(subscriber, envelope, body, attempt + 1));
    }
  }

  return {
    subscribers: () => subscribers.map(({ signingKey: _secret, ...rest }) => rest),
    addSubscriber(subscriber: WebhookSubscriber) {
      subscribers.push(webhookSubscriberSchema.parse(subscriber));
    },
    /** Builds, records and sends one event to every matching subscriber; resolves once first attempts end. */
    async emit(input: WebhookEventInput): Promise<Record<string, unknown>> {
      const envelope = {
        metadata: {
          event_id: randomUUID(),
          event_type: input.eventType,
          event_version: input.eventVersion ?? 'v2',
          occurred_at: clock.iso(),
          subject_account_id: input.subjectAccountId,
          recipient_account_id: input.recipientAccountId,
          ...(input.productInstanceId ? { product_instance_id: input.productInstanceId } : {}),
          webhook_id: 'krn:partner:global:notification:webhook:sandbox',
          live,
        },
        payload: input.payload,
      };
      events.push(envelope);
      const body = JSON.stringify(envelope);
      const targets = subscribers.filter(
        (s) =>
          (!s.principalId || s.principalId === input.recipientAccountId) &&
          (!s.eventTypes || s.eventTypes.includes(input.eventType)),
      );
      await Promise.all(targets.map((subscriber) => deliver(subscriber, envelope, body, 1)));
      return envelope;
    },
    attempts: () => attempts.map((attempt) => ({ ...attempt })),
    events: () => events.slice(),
    async close() {
      closed = true;
      await agent.close();
    },
  };
}
export type WebhookEmitter = ReturnType<typeof createWebhookEmitter>;

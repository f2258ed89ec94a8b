/**
 * Klarna's webhook body, `{ metadata, payload }`, parsed at the edge (contract:
 * `openapi/partner-management-v2.yaml`, `webhooks:` and `WebhookMetadata`). Metadata is checked for
 * every event; the payload only for the fields the gateway takes from it, per known event type, and
 * unknown keys pass (Klarna adds fields). An unknown event type with valid metadata is accepted: the
 * enum is open, and such an event still names the account it is about.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventFacts } from './events.ts';

const id = z.string().min(1).max(255);

const metadataSchema = z.object({
  event_id: id,
  event_type: z.string().min(1).max(255),
  event_version: z.string().max(32).optional(),
  occurred_at: z.iso.datetime({ offset: true }),
  subject_account_id: id,
  recipient_account_id: id.optional(),
  product_instance_id: id.optional(),
  webhook_id: z.string().max(255).optional(),
  live: z.boolean().optional(),
});

const stateFields = { state: z.string().min(1).max(64), state_reason: z.string().max(64).optional() };

const payloadSchemas: Record<string, z.ZodType<Record<string, unknown>>> = {
  [EVENT_TYPES.ACCOUNT_OPERATIONAL]: z.looseObject({ partner_account_id: id, ...stateFields, previous_state: z.string().max(64).optional() }),
  [EVENT_TYPES.PAYMENT_PRODUCT_DISABLED]: z.looseObject({ partner_account_id: id, product_id: id, ...stateFields }),
  [EVENT_TYPES.PAYMENT_PRODUCT_ENABLED]: z.looseObject({ partner_account_id: id, product_id: id, ...stateFields }),
  [EVENT_TYPES.SETTLEMENT_REPORT_CREATED]: z.looseObject({ settlement_id: id }),
  [EVENT_TYPES.COMPLIANCE_DECISION_CREATED]: z.looseObject({ decision_id: id, partner_account_id: id }),
};

const envelopeSchema = z.object({ metadata: metadataSchema, payload: z.record(z.string(), z.unknown()) });

export type ParsedEnvelope = { ok: true; facts: EventFacts } | { ok: false; problems: string[] };

const problemsOf = (error: z.ZodError, prefix = '') =>
  error.issues.slice(0, 10).map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)'}: ${issue.message}`);

/** Parses a raw webhook body into the facts the gateway publishes, or the problems found. */
export function parseEnvelope(rawBody: string): ParsedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, problems: ['(body): is not JSON'] };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, problems: problemsOf(envelope.error) };
  const { metadata } = envelope.data;
  // The gateway's own event type is never accepted from outside.
  if (metadata.event_type === EVENT_TYPES.ORDER_CANCELLATION_UPDATED) return { ok: false, problems: ['metadata.event_type: is not a Klarna event type'] };
  const payloadSchema = payloadSchemas[metadata.event_type];
  const parsed = payloadSchema ? payloadSchema.safeParse(envelope.data.payload) : { success: true as const, data: envelope.data.payload };
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error, 'payload') };
  const payload = parsed.data as Record<string, string | undefined>;
  const facts: EventFacts = {
    klarnaEventId: metadata.event_id,
    type: metadata.event_type,
    occurredAt: metadata.occurred_at,
    accountId: metadata.subject_account_id,
  };
  const optional = { productId: payload.product_id, settlementId: payload.settlement_id, decisionId: payload.decision_id };
  const states = { state: payload.state, previousState: payload.previous_state, stateReason: payload.state_reason };
  for (const [key, value] of Object.entries({ ...optional, ...(payloadSchema ? states : {}) })) {
    if (typeof value === 'string') (facts as unknown as Record<string, string>)[key] = value;
  }
  return { ok: true, facts };
}

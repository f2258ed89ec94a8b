/**
 * The events the gateway carries from Klarna to subscribers: Klarna's webhook event types, the one the
 * gateway makes itself (a polled card order cancellation that resolved), and the facts an event
 * carries on the bus. An event on the bus holds identifiers and states only, never Klarna's whole
 * payload and never credentials: subscribers read the affected objects fresh, with their own.
 */

/** Klarna's event types by the gateway's enum name, plus the gateway's own cancellation event. */
export const EVENT_TYPES = {
  ACCOUNT_OPERATIONAL: 'partner.account.state-change.operational',
  PAYMENT_PRODUCT_DISABLED: 'partner.account.product.payment.state-change.disabled',
  PAYMENT_PRODUCT_ENABLED: 'partner.account.product.payment.state-change.enabled',
  SETTLEMENT_REPORT_CREATED: 'settlement.report.created',
  COMPLIANCE_DECISION_CREATED: 'compliance.decision.created',
  /** Not Klarna's: the gateway polls cancellations (Klarna pushes none) and announces the outcome. */
  ORDER_CANCELLATION_UPDATED: 'gateway.merchantcard.order.cancellation-updated',
} as const;

export type EventTypeName = keyof typeof EVENT_TYPES;

const NAME_BY_TYPE = new Map<string, EventTypeName>(Object.entries(EVENT_TYPES).map(([name, type]) => [type, name as EventTypeName]));

/** The enum name of a raw event type; `UNKNOWN` for types Klarna added after this gateway was built. */
export function eventTypeName(type: string): EventTypeName | 'UNKNOWN' {
  return NAME_BY_TYPE.get(type) ?? 'UNKNOWN';
}

/** What one event says, as published (before the bus gives it its position). */
export interface EventFacts {
  /** Klarna's `metadata.event_id` (what retries repeat); for the gateway's own events, `<orderId> <checkAfter>`. */
  klarnaEventId: string;
  /** Klarna's `metadata.event_type`, or `EVENT_TYPES.ORDER_CANCELLATION_UPDATED`. */
  type: string;
  /** ISO 8601 time the event occurred at Klarna (or the gateway saw the cancellation resolve). */
  occurredAt: string;
  /** The partner account the event is about (Klarna's `subject_account_id`). */
  accountId?: string;
  productId?: string;
  settlementId?: string;
  decisionId?: string;
  orderId?: string;
  /** The new state as the event reported it: account, product or cancellation status. */
  state?: string;
  previousState?: string;
  stateReason?: string;
}

/** An event on the bus: its facts and its position in the event log. */
export interface KlarnaEvent extends EventFacts {
  /**
   * Position in the event log, `<milliseconds>-<sequence>` (a Redis stream entry id, or the same form in
   * process): later events have greater ids, compared part by part as numbers (`compareEventIds`).
   */
  id: string;
}

export const EVENT_ID = /^\d{1,15}-\d{1,15}$/;

/**
 * Orders two event ids: negative when `a` came first, 0 when equal, positive when `a` came later. The
 * parts are compared as digit strings (leading zeros aside, a longer one is greater), so no array or
 * number is made: every subscriber compares every event it is handed.
 */
export function compareEventIds(a: string, b: string): number {
  if (a === b) return 0;
  const aDash = a.indexOf('-');
  const bDash = b.indexOf('-');
  const aMsEnd = aDash < 0 ? a.length : aDash;
  const bMsEnd = bDash < 0 ? b.length : bDash;
  return compareDigits(a, 0, aMsEnd, b, 0, bMsEnd) || compareDigits(a, Math.min(aMsEnd + 1, a.length), a.length, b, Math.min(bMsEnd + 1, b.length), b.length);
}

/** Compares the decimal numbers `a[aFrom, aTo)` and `b[bFrom, bTo)` (an empty range is 0). */
function compareDigits(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  while (aFrom < aTo && a.charCodeAt(aFrom) === 48) aFrom += 1;
  while (bFrom < bTo && b.charCodeAt(bFrom) === 48) bFrom += 1;
  const longer = aTo - aFrom - (bTo - bFrom);
  if (longer !== 0) return longer;
  for (; aFrom < aTo; aFrom += 1, bFrom += 1) {
    const difference = a.charCodeAt(aFrom) - b.charCodeAt(bFrom);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The millisecond part of an event id (when the log accepted it). */
export const eventIdTime = (id: string): number => Number(id.slice(0, id.indexOf('-')));

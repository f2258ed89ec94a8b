/**
 * A webhook's `occurred_at` against the time it is received: a correctly signed event is still
 * refused when it is older than `maxAgeMs` or more than `MAX_FUTURE_MS` ahead of the gateway's clock.
 * The signature proves Klarna made the body, not that it is being sent now: without a window, a body
 * captured once could be replayed once its event id has been forgotten by the deduplication.
 *
 * So the deduplication must remember an event id for at least the window (the ingress keeps ids for
 * `maxAgeMs + MAX_FUTURE_MS`): an event replayed later is either a known id (dropped) or too old
 * (refused). Klarna retries a webhook for about 21.5 hours, so the default window of 24 hours
 * (`WEBHOOK_MAX_AGE_MS`) takes every retry with hours to spare.
 */

/** How far ahead of our clock an event may say it occurred (clock skew between Klarna and us). */
export const MAX_FUTURE_MS = 5 * 60_000;
export const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

/** Why `occurredAt` (ISO 8601 with offset) is outside the window at `nowMs`, or undefined when inside. */
export function replayWindowProblem(occurredAt: string, nowMs: number, maxAgeMs: number): string | undefined {
  const occurredMs = Date.parse(occurredAt);
  if (Number.isNaN(occurredMs)) return 'metadata.occurred_at: is not a date';
  const ageMs = nowMs - occurredMs;
  if (ageMs > maxAgeMs) return `metadata.occurred_at: is more than ${formatDuration(maxAgeMs)} ago; the event is too old to be accepted (a replay?)`;
  if (-ageMs > MAX_FUTURE_MS) return `metadata.occurred_at: is more than ${formatDuration(MAX_FUTURE_MS)} in the future; check the sender's clock`;
  return undefined;
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}

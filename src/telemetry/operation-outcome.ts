/**
 * How one GraphQL operation ended, told once to whatever follows operations (the metrics, the log
 * line, the span). `useOperationOutcome` (`src/plugins/operation-outcome.ts`) computes it; the
 * observers only read it.
 *
 * An operation is what was parsed (or refused while parsing): an answer served before parsing (from
 * the response cache, or a persisted-operation refusal of the params) has no outcome.
 */
import type { OperationTypeNode } from 'graphql';

export type OutcomeKind =
  /** Executed without errors (an incremental result: none in any part). */
  | 'ok'
  /** Executed, with errors (or a subscription that could not start). */
  | 'error'
  /** Refused before it ran: did not parse or validate (limits, introspection, unknown fields), or its context could not be made. */
  | 'refused'
  /** A subscription that started (its events are not part of the outcome). */
  | 'subscribed';

export interface OperationOutcome {
  /** The operation's context object: a key for observers that keep per-operation state (never read). */
  readonly context: object;
  /** The operation's name (the document's, else the one the client sent); unbounded, client-chosen. */
  readonly name: string | undefined;
  /** Undefined when the document did not parse or does not hold the operation asked for. */
  readonly type: OperationTypeNode | undefined;
  readonly outcome: OutcomeKind;
  /**
   * Each distinct `extensions.code` of its errors, in the order first met, with how many errors had it.
   * An error without one is `GRAPHQL_PARSE_FAILED` when the document did not parse, else
   * `GRAPHQL_VALIDATION_FAILED`; one that is not a GraphQL error, `INTERNAL_SERVER_ERROR`.
   * An incremental (@defer/@stream) result's are those of every part.
   */
  readonly errorCodes: ReadonlyMap<string, number>;
  /** From the start of parsing to the outcome (an incremental result's last part), in ms, to 0.01. */
  readonly durationMs: number;
  /** The context's, else the caller's `x-request-id` when it is safe to log; undefined otherwise. */
  readonly requestId: string | undefined;
  /** The sha256 of the caller's credentials (`Principal.hash`); undefined when refused before its context was made. */
  readonly principalHash: string | undefined;
  /**
   * Only when `principalHash` is undefined: the hash of the Basic credentials the request presented
   * (of none, when it presented none or a token), never the credentials.
   */
  readonly presentedPrincipalHash: string | undefined;
  /** Klarna calls it made; undefined when refused before its context (and budget) was made. */
  readonly upstreamCalls: number | undefined;
  /** Klarna calls its budget refused (UPSTREAM_CALL_LIMIT). */
  readonly upstreamCallsRefused: number;
}

export interface OperationObserver {
  /** Once per operation, when its outcome is known. Must not throw, and should be cheap: it runs on every operation. */
  onOutcome(outcome: OperationOutcome): void;
  /**
   * Each event a subscription delivers with errors: one code per error (not distinct). Only asked of
   * observers that have it; a subscription's events are otherwise not looked at.
   */
  onEventErrors?(codes: readonly string[]): void;
}

/** One function telling every observer that asks (`onEventErrors`) a delivered event's error codes; undefined when none asks. */
export function eventErrorsTeller(observers: readonly OperationObserver[]): ((codes: readonly string[]) => void) | undefined {
  const asking = observers.filter((observer) => observer.onEventErrors);
  if (!asking.length) return undefined;
  return (codes) => {
    for (const observer of asking) observer.onEventErrors!(codes);
  };
}

/** One logical call to an upstream, as the REST clients hand it to the HTTP layer and get it back. */
import type { Dispatcher } from 'undici';
import type { Cancellation } from './abort-source.ts';

export interface UpstreamMetrics {
  /** One attempt: its outcome is the HTTP status, or `timeout`, `cancelled`, `error`, `circuit_open`. */
  observe(api: string, operation: string, outcome: string, seconds: number): void;
  /** An operation's breaker opened (from closed, or again after a failed half-open trial). */
  breakerOpened?(api: string, operation: string): void;
  /** The breakers of one API, read when metrics are scraped: each operation used so far and its state. */
  watchBreakers?(api: string, states: () => Iterable<[operation: string, state: 'closed' | 'open' | 'half-open']>): void;
}

export interface UpstreamRequest {
  /** The contract's operationId, for metrics and logs. */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/v2/accounts/krn%3A...?expand=brands`. */
  path: string;
  /** Read, never changed: a plain read hands over its client's common headers object as it is. */
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** Safe to send again: GETs, and writes that carry an idempotency key. */
  idempotent: boolean;
  /** The caller's own deadline (the GraphQL operation's), if sooner than ours. */
  signal?: Cancellation;
  /** Another reason to give up on the call (a read: Klarna refused the request's credentials meanwhile). */
  alsoCancelledBy?: Cancellation;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or dumped by the caller. */
  body: Dispatcher.ResponseData['body'];
}

/**
 * An attempt that failed: a failing status (429 or >= 500; its body still to be dumped), our timeout or
 * deadline, a dropped or refused connection, or the caller going away.
 */
export type AttemptFailure = { kind: 'status'; response: UpstreamResponse } | { kind: 'timeout' } | { kind: 'connection' } | { kind: 'cancelled' };

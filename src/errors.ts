/**
 * The gateway's expected failures, each with a stable machine `code` (its `extensions.code` in GraphQL)
 * and a message a person can act on. They never carry upstream URLs, bodies or stacks. Anything that is
 * not one of these is unexpected: logged with context and masked for the client.
 */
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'SUBSCRIPTION_INTERRUPTED'
  | 'UPSTREAM_CALL_LIMIT'
  | 'OPERATION_TIMEOUT'
  | 'OUTCOME_UNKNOWN';

/** One problem with one input field, by its path (`input.cards.0.amount`). */
export interface FieldProblem {
  path: string;
  message: string;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.extensions = extensions;
  }
}

export class NotFoundError extends GatewayError {
  constructor(what = 'The requested resource') {
    super('NOT_FOUND', `${what} was not found, or you may not read it.`);
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(message = 'Klarna credentials are missing or were refused. Send `Authorization: Basic <Klarna API key>`.') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(message = 'You may not do this with your credentials.') {
    super('FORBIDDEN', message);
  }
}

export class BadUserInputError extends GatewayError {
  readonly problems: FieldProblem[];
  constructor(message: string, problems: FieldProblem[] = []) {
    super('BAD_USER_INPUT', message, problems.length ? { problems } : {});
    this.problems = problems;
  }
}

export class ConflictError extends GatewayError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class RateLimitedError extends GatewayError {
  readonly retryAfter: number;
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Klarna is rate limiting these requests. Retry after ${retryAfterSeconds} seconds.`, {
      retryAfter: retryAfterSeconds,
    });
    this.retryAfter = retryAfterSeconds;
  }
}

export class UpstreamUnavailableError extends GatewayError {
  constructor(api: string, message = `Klarna's ${api} is unavailable right now. Try again shortly.`) {
    super('UPSTREAM_UNAVAILABLE', message);
  }
}

export class UpstreamTimeoutError extends GatewayError {
  constructor(api: string) {
    super('UPSTREAM_TIMEOUT', `Klarna's ${api} did not answer in time. Try again shortly.`);
  }
}

export class UpstreamInvalidResponseError extends GatewayError {
  constructor(api: string) {
    super('UPSTREAM_INVALID_RESPONSE', `Klarna's ${api} sent an answer the gateway could not read.`);
  }
}

/** A live-event stream ended early (the subscriber fell behind, the event log failed): resubscribe with `after`. */
export class SubscriptionInterruptedError extends GatewayError {
  /** `resumeAfter`: the last event delivered; `reason`: the code of what interrupted it, if it had one. */
  constructor(resumeAfter: string | undefined, reason?: string) {
    super(
      'SUBSCRIPTION_INTERRUPTED',
      'The event stream was interrupted. Subscribe again with `after` set to the id of the last event you received; nothing is lost within the retention.',
      { ...(resumeAfter ? { resumeAfter } : {}), ...(reason ? { reason } : {}) },
    );
  }
}

/** One operation asked for more upstream calls than `MAX_UPSTREAM_CALLS_PER_OPERATION` allows. */
export class UpstreamCallLimitError extends GatewayError {
  constructor(limit: number) {
    super('UPSTREAM_CALL_LIMIT', `This operation needs more than ${limit} calls to Klarna. Ask for fewer objects per operation, or page through them.`, { limit });
  }
}

/** The operation ran past `OPERATION_DEADLINE_MS`; its calls still in flight were cancelled. */
export class OperationTimeoutError extends GatewayError {
  constructor(deadlineMs: number) {
    super('OPERATION_TIMEOUT', `This operation did not finish within ${deadlineMs} ms. Ask for less per operation, or try again shortly.`, { deadlineMs });
  }
}

/**
 * A write whose outcome the gateway cannot know: Klarna was unavailable or did not answer in time, the
 * connection dropped, the operation's deadline passed or the gateway shut down while it was on its way.
 * It may or may not have been applied. It names the idempotency key it was sent with (the caller's, or
 * the one the gateway made): sending the mutation again with `input.idempotencyKey` set to it applies it
 * at most once (Klarna answers a repeat with the original answer, for 24 hours).
 */
export class OutcomeUnknownError extends GatewayError {
  readonly idempotencyKey: string;
  readonly retryAfter: number;
  constructor(idempotencyKey: string, retryAfterSeconds = 1) {
    super(
      'OUTCOME_UNKNOWN',
      `Klarna may or may not have applied this change. Send it again with \`input.idempotencyKey\` set to "${idempotencyKey}" after ${retryAfterSeconds} seconds: it is then applied at most once.`,
      { idempotencyKey, retryAfter: retryAfterSeconds },
    );
    this.idempotencyKey = idempotencyKey;
    this.retryAfter = retryAfterSeconds;
  }
}

/**
 * The stable code of an error, for logs, metrics and traces, wherever it carries it: masked errors in
 * `extensions.code`, ours on the original error. `fallback` names GraphQL's own errors, which carry none (validation by default; parse errors pass
 * `GRAPHQL_PARSE_FAILED`); anything else is an internal error.
 */
export function errorCodeOf(error: unknown, fallback = 'GRAPHQL_VALIDATION_FAILED'): string {
  if (error instanceof GraphQLError) {
    if (typeof error.extensions?.code === 'string') return error.extensions.code;
    if (error.originalError instanceof GatewayError) return error.originalError.code;
    return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : fallback;
  }
  return error instanceof GatewayError ? error.code : 'INTERNAL_SERVER_ERROR';
}

/**
 * What both Klarna clients share: the headers every call carries, the one request method that sends,
 * checks the status and parses, and the mapping of Klarna's error answers to the gateway's codes.
 *
 * A client instance is made per GraphQL request and bound to that request's principal, correlation
 * id and deadline; the `Upstream` under it (and so the connection pool) is shared and made at boot.
 */
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OperationTimeoutError,
  OutcomeUnknownError,
  UnauthenticatedError,
  UpstreamInvalidResponseError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  type FieldProblem,
} from '../errors.ts';
import { VERSION } from '../version.ts';
import type { Cancellation, Upstream, UpstreamResponse } from './http.ts';
import { headerValue, queryValue } from './request-path.ts';

/**
 * What a client asks before every call it sends: the operation's call cap and deadline (the context
 * gives it an `OperationBudget`, `src/operation-budget.ts`).
 */
export interface CallBudget {
  /** Counts the call, or throws the refusal (no calls left, deadline passed). */
  admit(): void;
  /** The error to surface for a failed call (the deadline's, when the deadline is what stopped it). */
  explain(error: unknown): unknown;
  /** What the call is sent with: aborts with the request, and at the deadline. */
  readonly signal: Cancellation | undefined;
  /** Aborted once Klarna refused the request's credentials: a read is cancelled by it as well as by `signal`. */
  readonly refusedSignal?: Cancellation;
  /** Told when Klarna answers 401 (the request's later calls are then refused unsent) or 403. */
  refusedCredentials?(status: 401 | 403): void;
}

/** Who is calling and on whose behalf, for one GraphQL request. */
export interface CallContext {
  /** `Basic ...` to send to Klarna; absent means no call may be made (UNAUTHENTICATED). */
  authorization?: string;
  /** Sent as `Partner-Correlation-Id` and as the session reference of the integration metadata. */
  correlationId: string;
  /** The calling app, when it names itself (`x-client-name`), as Klarna's originator. */
  originator?: string;
  integratorName: string;
  signal?: AbortSignal;
  /** The operation's call cap and deadline: asked before every call; its signal replaces `signal`. */
  budget?: CallBudget;
  /**
   * The partner accounts this request sent a write for (added before it is sent, whatever the answer:
   * a write may be applied and still fail). The response cache drops their answers once the mutation is done.
   */
  writtenAccounts?: Set<string>;
  /**
   * Told before a call that disables an API key or revokes a client certificate is sent (whatever the
   * answer: it may be applied and still fail). What was cached for the caller is then dropped: the
   * caller's own key may be the one.
   */
  credentialRevoked?(credentialId: string): void;
}

/** Checks a parsed 2xx body against the contract; returns the problems found. */
export type ResponseCheck = (operationId: string, status: number, body: unknown) => { parameter: string; reason: string }[];

export interface RequestSpec {
  operation: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Built by `pathOf` from the operation's contract template (`request-path.ts`). */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

/**
 * The error a write's caller gets: one that leaves the write's outcome unknown (Klarna unavailable or
 * silent, the connection dropped, the deadline passed, the caller or the gateway went away) becomes
 * `OutcomeUnknownError` naming the idempotency key it was sent with, so that the caller can send it
 * again safely; any other (Klarna refused it, rate limited it) says what happened and is kept.
 */
export function writeFailure(error: unknown, idempotencyKey: string | undefined): unknown {
  if (!idempotencyKey) return error;
  const unknownOutcome = error instanceof UpstreamUnavailableError || error instanceof UpstreamTimeoutError || error instanceof OperationTimeoutError;
  return unknownOutcome ? new OutcomeUnknownError(idempotencyKey) : error;
}

/** Klarna's `validation_errors[].parameter` (`body.cards.0.amount`) without its location prefix. */
const problemPath = (parameter: string) => parameter.replace(/^(body|query|path|header)\./, '');

export abstract class RestClient {
  protected abstract readonly apiName: string;

  constructor(
    protected readonly upstream: Upstream,
    protected readonly context: CallContext,
    private readonly checkResponse: ResponseCheck,
  ) {}

  /** The partner account a call's path is about, if any (only the client knows its API's paths). */
  protected accountOf(_path: string): string | undefined {
    return undefined;
  }

  /** The headers every call of this request carries: made once per client (one client per request and API). */
  private commonHeaders: Readonly<Record<string, string>> | undefined;

  protected baseHeaders(): Readonly<Record<string, string>> {
    return (this.commonHeaders ??= this.makeBaseHeaders());
  }

  private makeBaseHeaders(): Record<string, string> {
    if (!this.context.authorization) throw new UnauthenticatedError();
    const party = (name: string) => ({
      name,
      session_reference: this.context.correlationId,
      module_name: 'graphql-gateway',
      module_version: VERSION,
    });
    const metadata = {
      integrator: party(this.context.integratorName),
      ...(this.context.originator ? { originators: [party(this.context.originator)] } : {}),
    };
    return {
      authorization: this.context.authorization,
      'klarna-integration-metadata': JSON.stringify(metadata),
      'partner-correlation-id': this.context.correlationId,
      accept: 'application/json',
    };
  }

  /**
   * Sends a call and returns the raw response when its status is 2xx; maps every other status. The
   * header and query values a caller gave are guarded first (BAD_USER_INPUT, nothing sent).
   */
  protected async send(spec: RequestSpec): Promise<UpstreamResponse> {
    // (Downloads and writes: the hot path, `request`, awaits `start` itself, with no closure per call.)
    const response = await this.start(spec).catch((error: unknown) => {
      throw this.callFailure(spec, error);
    });
    if (response.status >= 200 && response.status < 300) return response;
    throw await this.statusFailure(spec, response);
  }

  /**
   * Starts a call: what `send` and `request` await themselves (a plain function, not one more async
   * frame per call in flight). Throws at once, nothing sent, when the caller's values or the budget refuse it.
   */
  private start(spec: RequestSpec): Promise<UpstreamResponse> {
    // The caller's values are guarded first (BAD_USER_INPUT before anything else is looked at).
    const given = spec.headers && Object.entries(spec.headers).map(([name, value]) => [name, headerValue(name, value)] as const);
    const idempotencyKey = spec.idempotencyKey && headerValue('klarna-idempotency-key', spec.idempotencyKey);
    const search = querySearch(spec.query);
    // A plain read sends the client's common headers as they are (undici only reads them).
    let headers = this.baseHeaders();
    if (given || spec.body !== undefined || idempotencyKey) {
      const own: Record<string, string> = { ...headers };
      if (given) for (const [name, value] of given) own[name] = value;
      if (spec.body !== undefined) own['content-type'] = 'application/json';
      if (idempotencyKey) own['klarna-idempotency-key'] = idempotencyKey;
      headers = own;
    }
    const { budget } = this.context;
    budget?.admit();
    if (spec.method !== 'GET') {
      const account = this.accountOf(spec.path);
      if (account) this.context.writtenAccounts?.add(account);
    }
    const signal = budget ? budget.signal : this.context.signal;
    const refused = spec.method === 'GET' ? budget?.refusedSignal : undefined;
    return this.upstream.send({
      operation: spec.operation,
      method: spec.method,
      path: `${spec.path}${search}`,
      headers,
      ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      idempotent: spec.method === 'GET' || Boolean(spec.idempotencyKey),
      ...(signal ? { signal } : {}),
      ...(refused ? { alsoCancelledBy: refused } : {}),
    });
  }

  /** The error for a call that got no answer (timeout, cancellation, Klarna unavailable). */
  private callFailure(spec: RequestSpec, error: unknown): unknown {
    const { budget } = this.context;
    return this.failure(spec, budget ? budget.explain(error) : error);
  }

  /** The error for an answer whose status is not 2xx (401 and 403 also tell the budget). */
  private async statusFailure(spec: RequestSpec, response: UpstreamResponse): Promise<unknown> {
    if (response.status === 401 || response.status === 403) this.context.budget?.refusedCredentials?.(response.status);
    const text = await response.body.text().catch(() => '');
    return this.failure(spec, this.mapError(response.status, parseJson(text)));
  }

  /** A failed call's error; for a write, one that names its idempotency key when its outcome is unknown. */
  private failure(spec: RequestSpec, error: unknown): unknown {
    return spec.method === 'GET' ? error : writeFailure(error, spec.idempotencyKey);
  }

  /** Sends a call and returns its JSON body, checked against the contract. */
  protected async request<T>(spec: RequestSpec): Promise<T> {
    // As `send`, awaited here rather than through it: one suspended frame per call in flight, and
    // try/catch rather than `.catch`: no closure and promise more per call.
    const pending = this.start(spec);
    let response: UpstreamResponse;
    try {
      response = await pending;
    } catch (error) {
      throw this.callFailure(spec, error);
    }
    if (response.status < 200 || response.status >= 300) throw await this.statusFailure(spec, response);
    // Read as bytes, not text: undici keeps what its read promise resolved with until the body stream's
    // deferred destroy has run (a setImmediate), so under load a text answer outlived the parse and was
    // copied by young-generation GCs (heap sampling: ~8 KB a Dashboard request surviving one). The
    // bytes live outside the JS heap, and the text made of them dies at the parse.
    let bytes: Uint8Array;
    try {
      bytes = await response.body.bytes();
    } catch (error) {
      const explained = this.context.budget ? this.context.budget.explain(error) : error;
      if (spec.method === 'GET') throw explained;
      // A write whose answer broke off was applied: its caller learns the key that fetches the answer again.
      throw writeFailure(explained instanceof OperationTimeoutError ? explained : new UpstreamUnavailableError(this.apiName), spec.idempotencyKey);
    }
    if (!bytes.length) return undefined as T;
    const body = parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    const problems = body === undefined ? [{ parameter: 'body', reason: 'is not JSON' }] : this.checkResponse(spec.operation, response.status, body);
    if (problems.length) throw new UpstreamInvalidResponseError(this.apiName);
    return body as T;
  }

  /** The error for a non-2xx answer; `body` is Klarna's error object when it sent one. */
  protected mapError(status: number, body: unknown): Error {
    const error = (body ?? {}) as {
      error_code?: string;
      validation_errors?: { parameter?: string; reason?: string }[];
    };
    if (status === 401) return new UnauthenticatedError('Klarna refused the credentials. Check the API key sent as Basic credentials.');
    if (status === 403) return new ForbiddenError('Klarna does not allow this operation with these credentials.');
    if (status === 404) return new NotFoundError();
    // Klarna (or its edge) refusing the size of what was sent: a value the caller gave was too long.
    if (status === 413 || status === 414 || status === 431) {
      return new BadUserInputError('Klarna refused the request as too large (an id, cursor or other value is too long, or there are too many of them).');
    }
    if (status === 409 || error.error_code === 'RESOURCE_CONFLICT') {
      return new ConflictError('This conflicts with an existing resource, e.g. a reference already in use.');
    }
    if (status === 400 || status === 422) {
      const problems: FieldProblem[] = (error.validation_errors ?? []).map((item) => ({
        path: problemPath(item.parameter ?? ''),
        message: item.reason ?? 'is invalid',
      }));
      // Klarna's per-field reasons are meant for the caller; its free-text message is not passed on.
      const detail = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
      return new BadUserInputError(detail ? `Klarna refused the input (${detail}).` : 'Klarna refused the input.', problems);
    }
    return new UpstreamUnavailableError(this.apiName);
  }
}

/** `?key=value&...` of the query values given (guarded: BAD_USER_INPUT), or `''` when there are none. */
function querySearch(query: RequestSpec['query']): string {
  let params: URLSearchParams | undefined;
  for (const key in query) {
    const value = query[key];
    if (value !== undefined) (params ??= new URLSearchParams()).append(key, queryValue(key, String(value)));
  }
  return params ? `?${params.toString()}` : '';
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

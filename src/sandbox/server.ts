/**
 * The sandbox's HTTP front: one request pipeline for both APIs.
 *
 *   admin route? ─▶ match operation (404/405) ─▶ authenticate (401) ─▶ validate against the contract
 *   (400) ─▶ fault injection ─▶ idempotency (wait for the key's request under way; replay) ─▶ handler
 *   ─▶ ledger, idempotency store ─▶ respond (or the fault injected after applying)
 *
 * Counters record every answered request by operation and status, including the faults it injected,
 * and the last request targets of each operation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ZodError } from 'zod';
import type { Clock } from './clock.ts';
import type { ApiName, Contract, MatchedRequest, Violation } from '../contracts/contract.ts';
import { SandboxError, unauthorized, validationError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { Handler, HandlerContext, HandlerMap, HandlerResult, SandboxBehaviour } from './handler.ts';
import type { Counters, IdempotencyStore, Ledger, StoredResponse } from './ledger.ts';
import { authenticate, HttpAnswer, parseJsonBody, readBody, writeResult } from './http-io.ts';
import type { SandboxState } from './state.ts';
import type { WebhookEmitter } from './webhooks.ts';

export const ADMIN_PREFIX = '/__sandbox';
const METADATA_HEADER = 'header.Klarna-Integration-Metadata';

export type AdminHandler = (input: {
  body: unknown;
  query: URLSearchParams;
  params: Record<string, string>;
}) => unknown | Promise<unknown>;

export interface PipelineParts {
  contract: Contract;
  handlers: HandlerMap;
  adminRoutes: Record<string, AdminHandler>;
  state: SandboxState;
  clock: Clock;
  faults: Faults;
  counters: Counters;
  ledger: Ledger;
  idempotency: IdempotencyStore;
  webhooks: WebhookEmitter;
  behaviour: SandboxBehaviour;
  /** r6 requires `Klarna-Integration-Metadata`; the lenient mode (r7 behaviour) makes it optional. */
  requireMetadataHeader: boolean;
  /** When set, every JSON response is checked against the contract and violations are kept here. */
  responseViolations?: { operationId: string; status: number; violations: Violation[] }[];
}

export function createSandboxServer(parts: PipelineParts): Server {
  const { contract, handlers, state, clock, faults, counters, ledger, idempotency } = parts;

  async function handleAdmin(request: IncomingMessage, response: ServerResponse, url: URL) {
    const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
    for (const [route, handler] of Object.entries(parts.adminRoutes)) {
      const [method, template = ''] = route.split(' ');
      if (method !== request.method) continue;
      const names: string[] = [];
      const regex = new RegExp(
        `^${template.replace(/:([a-z_]+)/gi, (_m, name: string) => (names.push(name), '([^/]+)'))}$`,
      );
      const found = regex.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(found[index + 1]!)]));
      const raw = await readBody(request);
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        throw new HttpAnswer(400, { error: 'The admin request body is not valid JSON.' });
      }
      let result: unknown;
      try {
        result = await handler({ body, query: url.searchParams, params });
      } catch (error) {
        if (error instanceof ZodError) throw new HttpAnswer(400, { error: 'Invalid admin request.', issues: error.issues });
        if (error instanceof SandboxError) throw new HttpAnswer(error.status, error.toBody('partner-management'));
        throw error;
      }
      const payload = JSON.stringify(result ?? { ok: true });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(payload);
      return;
    }
    throw new HttpAnswer(404, { error: `No admin route ${request.method} ${url.pathname}` });
  }

  async function handleOperation(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    matched: MatchedRequest,
  ): Promise<number> {
    const { operation, pathParams } = matched;
    const api: ApiName = operation.api;
    const correlationId = request.headers['partner-correlation-id'];
    const echo: Record<string, string> =
      typeof correlationId === 'string' && api === 'partner-management' ? { 'partner-correlation-id': correlationId } : {};

    const fail = async (error: SandboxError) => {
      await writeResult(response, { status: error.status, body: error.toBody(api) }, { ...echo, ...error.headers }, 0);
      return error.status;
    };

    try {
      const principal = authenticate(state, request.headers.authorization);
      if (!principal) return await fail(unauthorized());
      const raw = await readBody(request);
      const body = operation.hasJsonBody ? parseJsonBody(raw, request.headers['content-type']) : undefined;
      const { value, violations } = contract.validateRequest(operation, {
        pathParams,
        query: url.searchParams,
        headers: request.headers,
        body,
      });
      const relevant = parts.requireMetadataHeader
        ? violations
        : violations.filter((v) => !(v.parameter === METADATA_HEADER && v.reason === 'is required'));
      if (relevant.length) return await fail(validationError(relevant));

      const idempotencyKey =
        operation.isWrite && typeof request.headers['klarna-idempotency-key'] === 'string'
          ? request.headers['klarna-idempotency-key']
          : null;
      const decision = faults.decide(operation.operationId);
      if (decision.gate) await decision.gate;
      if (decision.latencyMs) await sleep(decision.latencyMs);
      if (decision.failure && !decision.afterApply) return await injectFailure(decision.failure);

      // A repeat of a key is looked up once the request with that key still under way is done (and
      // after this one's own latency): a retry that overtakes a slow first attempt replays its answer,
      // it is never applied beside it.
      const release = idempotencyKey ? await idempotency.enter(principal.id, idempotencyKey) : () => undefined;
      let result: HandlerResult;
      try {
        result = await applyOnce(idempotencyKey, principal, value);
      } finally {
        release();
      }
      if (decision.failure) return await injectFailure(decision.failure);
      if (parts.responseViolations && !('stream' in result)) {
        const found = contract.validateResponse(operation.operationId, result.status, result.body);
        if (found.length) parts.responseViolations.push({ operationId: operation.operationId, status: result.status, violations: found });
      }
      await writeResult(response, result, echo, decision.slowBodyMs);
      return result.status;
    } catch (error) {
      if (error instanceof SandboxError) return await fail(error);
      throw error;
    }

    /** The handler's answer, or the answer stored under `idempotencyKey` (a repeat), storing a new one. */
    async function applyOnce(idempotencyKey: string | null, principal: HandlerContext['principal'], value: HandlerContext['request']): Promise<HandlerResult> {
      const replay = idempotencyKey ? idempotency.get(principal.id, idempotencyKey) : undefined;
      if (replay) return { status: replay.status, body: replay.body ? JSON.parse(replay.body) : undefined, headers: replay.headers };
      clock.runDue();
      const handler = handlers[operation.operationId as keyof HandlerMap] as Handler | undefined;
      if (!handler) throw new SandboxError(501, 'TECHNICAL_ERROR', 'NOT_IMPLEMENTED', 'Not implemented in the sandbox.');
      const context: HandlerContext = {
        operation,
        principal,
        request: value,
        state,
        clock,
        webhooks: parts.webhooks,
        behaviour: parts.behaviour,
        path: url.pathname,
        headers: request.headers,
        applied: (target) => ledger.apply(operation.operationId, target, idempotencyKey),
      };
      let result: HandlerResult;
      try {
        result = await handler(context);
      } catch (error) {
        if (!(error instanceof SandboxError)) throw error;
        result = { status: error.status, body: error.toBody(api), headers: error.headers };
      }
      if (idempotencyKey && !('stream' in result) && result.status < 500) {
        const stored: StoredResponse = { status: result.status, headers: result.headers ?? {}, body: result.body === undefined ? '' : JSON.stringify(result.body) };
        idempotency.set(principal.id, idempotencyKey, stored);
      }
      return result;
    }

    async function injectFailure(failure: NonNullable<ReturnType<Faults['decide']>['failure']>): Promise<number> {
      if (failure.kind === 'drop') {
        request.socket.destroy();
        return 0;
      }
      const headers: Record<string, string> =
        failure.status === 429 || failure.status === 503 ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      const codes: Record<number, [string, string, string]> = {
        429: ['ACCESS_ERROR', 'RATE_LIMITED', 'Too many requests. Retry after the time given in Retry-After.'],
        500: ['TECHNICAL_ERROR', 'INTERNAL_ERROR', 'An unexpected error occurred.'],
        502: ['TECHNICAL_ERROR', 'BAD_GATEWAY', 'The service received an invalid response.'],
        503: ['TECHNICAL_ERROR', 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.'],
        504: ['TECHNICAL_ERROR', 'GATEWAY_TIMEOUT', 'The service did not answer in time.'],
      };
      const [type, code, message] = codes[failure.status] ?? codes[500]!;
      return fail(new SandboxError(failure.status, type, code, message, [], headers));
    }
  }

  // Idle keep-alive sockets stay open longer than clients keep them (undici: 4 s), so the client is
  // always the one to close: otherwise a client reusing a socket the server closed at the same moment
  // (likely when either side's event loop was busy) gets ECONNRESET. Load balancers do the same.
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.local');
    let operationId = 'unmatched';
    let status = 500;
    const counted = !url.pathname.startsWith(ADMIN_PREFIX);
    if (counted) counters.enter();
    try {
      if (url.pathname.startsWith(ADMIN_PREFIX)) {
        await handleAdmin(request, response, url);
        return;
      }
      const matched = contract.match(request.method ?? 'GET', url.pathname);
      if (!matched) {
        status = 404;
        const body = { error_id: crypto.randomUUID(), error_type: 'RESOURCE_ERROR', error_code: 'NOT_FOUND', error_message: `No resource at ${url.pathname}.` };
        throw new HttpAnswer(404, body);
      }
      if ('allowed' in matched) {
        status = 405;
        throw new HttpAnswer(405, { error_id: crypto.randomUUID(), error_type: 'INPUT_ERROR', error_code: 'METHOD_NOT_ALLOWED', error_message: `Use ${matched.allowed.join(', ')}.` }, { allow: matched.allowed.join(', ') });
      }
      operationId = matched.operation.operationId;
      status = await handleOperation(request, response, url, matched);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof HttpAnswer) {
        status = error.status;
        response.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
        response.end(JSON.stringify(error.body));
      } else {
        status = 500;
        console.error('[sandbox] unexpected error', error);
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error_id: crypto.randomUUID(), error_type: 'TECHNICAL_ERROR', error_code: 'INTERNAL_ERROR', error_message: 'An unexpected error occurred.' }));
      }
    } finally {
      if (counted) counters.record(operationId, status, `${url.pathname}${url.search}`);
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

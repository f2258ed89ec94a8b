/**
 * What an operation handler receives and returns. Handlers are plain functions over the state: the
 * server has already authenticated the caller, validated the request against the contract and taken
 * care of idempotency, faults and counters.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Clock } from './clock.ts';
import type { Operation, ValidatedRequest } from '../contracts/contract.ts';
import type { Principal, SandboxState } from './state.ts';
import type { WebhookEmitter } from './webhooks.ts';
import type { operations as PmOperations } from '../contracts/partner-management.generated.ts';
import type { operations as McsOperations } from '../contracts/merchant-card-service.generated.ts';

export type OperationId = keyof PmOperations | keyof McsOperations;

/** Behaviour switches, all with documented defaults in `SandboxOptions`. */
export interface SandboxBehaviour {
  /** r6: onboarding arrays take exactly one item; lenient (later releases) takes 1..n. */
  strictExactlyOne: boolean;
  /** Sandbox milliseconds from onboarding/migration until the account is OPERATIONAL. */
  onboardingDelayMs: number;
  /** Sandbox milliseconds from a cancellation request until it resolves (`check_after`). */
  cancellationDelayMs: number;
  /** Lifetime of a card promise and of a card settlement. */
  cardTtlMs: number;
}

export interface HandlerContext {
  operation: Operation;
  principal: Principal;
  request: ValidatedRequest;
  state: SandboxState;
  clock: Clock;
  webhooks: WebhookEmitter;
  behaviour: SandboxBehaviour;
  /** The request path without its query, for `pagination.links`. */
  path: string;
  /** The request's headers as received (HTTP-level ones the contract does not describe, such as `Range`). */
  headers: IncomingHttpHeaders;
  /** Records one application of this write in the ledger, naming what it changed. */
  applied(target: string): void;
}

export type HandlerResult =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable; contentType: string; headers?: Record<string, string> };

export type Handler = (context: HandlerContext) => HandlerResult | Promise<HandlerResult>;

export type HandlerMap = Partial<Record<OperationId, Handler>>;

export const json = (status: number, body?: unknown, headers?: Record<string, string>): HandlerResult => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/**
 * A request's id: the caller's `x-request-id` when it is one the gateway passes on (8–64 letters,
 * digits, dashes), else one made here. Settled once as the request arrives (`useRequestId`) and kept
 * on the request itself, so the context (which sends it to Klarna as `Partner-Correlation-Id`), the
 * log lines, the span and the answer's header all read the same one.
 */
import { randomUUID } from 'node:crypto';
import { objectSlot } from './object-slots.ts';

/** The caller's `x-request-id` when it is safe to log and pass on (8–64 letters, digits, dashes). */
export function clientRequestId(headers: Pick<Headers, 'get'> | undefined): string | undefined {
  const header = headers?.get('x-request-id');
  return header && /^[A-Za-z0-9-]{8,64}$/.test(header) ? header : undefined;
}

/**
 * A fresh request id. `randomUUID()` returns a rope of ~15 joined pieces (~490 bytes of heap for as
 * long as the string lives: an open subscription's context keeps it); copied flat it is ~65 bytes.
 */
export const newRequestId = (): string => JSON.parse(`"${randomUUID()}"`) as string;

/**
 * Kept in a slot on the request rather than written into its headers: setting a header turns the
 * incoming headers into a Map of all of them, on every request that came without an id.
 */
const SETTLED_ID = objectSlot<string>('requestId');

/** Settles `request`'s id as it arrives: the caller's own if usable, else a new one. */
export function settleRequestId(request: Request): void {
  SETTLED_ID.set(request, clientRequestId(request.headers) ?? newRequestId());
}

/** The id settled for `request`, if it was. */
export function settledRequestId(request: object): string | undefined {
  return SETTLED_ID.get(request);
}

/** The id settled for `request`; for a request not settled, the caller's own if usable. */
export function requestIdOf(request: Request | undefined): string | undefined {
  if (!request) return undefined;
  return SETTLED_ID.get(request) ?? clientRequestId(request.headers);
}

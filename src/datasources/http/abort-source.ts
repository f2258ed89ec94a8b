/**
 * A light abort signal: an `EventEmitter` with `aborted` and `reason` that emits `abort` once. undici
 * takes one as a request's `signal` (it listens with `once('abort')`), and the HTTP layer follows one
 * as it follows an `AbortSignal`.
 *
 * Why not an AbortController: one is made per operation and per upstream call, and a Node
 * `AbortSignal` is an EventTarget, which allocates a map per signal and costs ~4 µs to add or remove
 * a listener; an emitter costs a plain object.
 */
import { EventEmitter } from 'node:events';

export class AbortSource extends EventEmitter {
  /** True once aborted; `reason` says why. */
  aborted = false;
  reason: unknown = undefined;

  /** Aborts with `reason` and tells the listeners; the first abort wins, later ones do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** What a call can be cancelled by: a platform `AbortSignal` (a request's) or an `AbortSource`. */
export type Cancellation = AbortSignal | AbortSource;

/** Calls `listener` once when `cancellation` aborts (not if it already has). */
export function onAbort(cancellation: Cancellation, listener: () => void): void {
  if (cancellation instanceof AbortSource) cancellation.once('abort', listener);
  else cancellation.addEventListener('abort', listener, { once: true });
}

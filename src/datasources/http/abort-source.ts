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
  /**
   * The sources aborted with this one (the calls of an operation), kept here rather than in a
   * module-wide WeakMap keyed by sources: such a table is walked by every young-generation GC.
   */
  private followers: Set<AbortSource> | undefined;

  /** Aborts with `reason`, then its followers with the same reason, and tells the listeners; the first abort wins. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const followers = this.followers;
    this.followers = undefined;
    if (followers) for (const follower of followers) follower.abort(reason);
    this.emit('abort');
  }

  /** `follower` is aborted when this source is (at once if it already is). */
  addFollower(follower: AbortSource): void {
    if (this.aborted) follower.abort(this.reason);
    else (this.followers ??= new Set()).add(follower);
  }

  removeFollower(follower: AbortSource): void {
    this.followers?.delete(follower);
  }
}

/** What a call can be cancelled by: a platform `AbortSignal` (a request's) or an `AbortSource`. */
export type Cancellation = AbortSignal | AbortSource;

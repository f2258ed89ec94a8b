/**
 * Card order cancellations resolve asynchronously and Klarna pushes nothing when they do, so the
 * gateway polls `GET /merchantcard/v3/orders/{id}/cancel-request` after `check_after` and publishes
 * one `ORDER_CANCELLATION_UPDATED` event when the request is CANCELLED or REJECTED.
 *
 * Exactly once, across replicas:
 * - one replica polls an order at a time: it holds the claim `cancel-poll:<order>` (renewed at every
 *   poll); others watching the same order stand by and take over only if that claim lapses;
 * - the event is published under the claim `cancel-done:<order> <check_after>` (one cancellation
 *   request is named by its order and its `check_after`), so a replica that saw the request PENDING
 *   just before another resolved it cannot publish it twice.
 *
 * A watch polls with the credentials of whoever caused it (a subscriber, or the caller of the
 * cancellation mutation); they stay in this replica's memory only, never in Redis.
 */
import type { Logger } from 'pino';
import { GatewayError } from '../errors.ts';
import type { Claims } from './claims.ts';
import { EVENT_TYPES } from './events.ts';
import type { EventBus } from './memory-bus.ts';

/** Who a watch polls as (structurally the context's `Principal`). */
export interface Caller {
  authorization?: string;
  hash: string;
}

export interface CancellationState {
  status: string;
  check_after?: string;
  reason_code?: string;
}

export type ReadCancellation = (orderId: string, caller: Caller) => Promise<CancellationState>;

export interface CancellationWatcherOptions {
  bus: EventBus;
  claims: Claims;
  read: ReadCancellation;
  logger: Logger;
  /** No two polls of an order closer than this, even when `check_after` has passed. */
  minIntervalMs: number;
  /** Poll at least this often (and stand by this long) even when `check_after` is further away. */
  maxIntervalMs: number;
  /** A cancellation still PENDING after this long is no longer watched. */
  giveUpAfterMs: number;
  /** At most this many orders watched by one replica. */
  maxWatches?: number;
  now?: () => number;
}

interface Watch {
  orderId: string;
  caller: Caller;
  /** The `check_after` of the request being watched: with the order, the name of the request. */
  requestKey: string;
  startedAt: number;
  polling: boolean;
  failures: number;
  timer?: NodeJS.Timeout;
}

const DONE_TTL_MS = 24 * 60 * 60 * 1000;
const GIVE_UP_CODES = new Set(['NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT']);

export function createCancellationWatcher(options: CancellationWatcherOptions) {
  const { bus, claims, read, minIntervalMs, maxIntervalMs, giveUpAfterMs, maxWatches = 10_000, now = Date.now } = options;
  const log = options.logger.child({ component: 'cancellation-watcher' });
  const leaseMs = maxIntervalMs + 60_000;
  const watches = new Map<string, Watch>();
  let closed = false;

  const pollKey = (watch: Watch) => `cancel-poll:${watch.orderId}`;
  const doneKey = (watch: Watch) => `cancel-done:${watch.orderId} ${watch.requestKey}`;
  const clamp = (ms: number) => Math.min(maxIntervalMs, Math.max(minIntervalMs, Number.isNaN(ms) ? 0 : ms));

  function schedule(watch: Watch, delayMs: number): void {
    if (closed) return;
    watch.timer = setTimeout(() => void step(watch), delayMs);
  }

  function stop(watch: Watch): void {
    clearTimeout(watch.timer);
    watches.delete(watch.orderId);
    if (watch.polling) void claims.release(pollKey(watch)).catch(() => undefined);
  }

  async function publishOutcome(watch: Watch, state: CancellationState): Promise<void> {
    if (await claims.claim(doneKey(watch), DONE_TTL_MS)) {
      try {
        await bus.publish({
          klarnaEventId: `${watch.orderId} ${watch.requestKey}`,
          type: EVENT_TYPES.ORDER_CANCELLATION_UPDATED,
          occurredAt: new Date(now()).toISOString(),
          orderId: watch.orderId,
          state: state.status,
          ...(state.reason_code ? { stateReason: state.reason_code } : {}),
        });
      } catch (error) {
        await claims.release(doneKey(watch)).catch(() => undefined);
        throw error;
      }
      log.info({ orderId: watch.orderId, status: state.status }, 'order cancellation resolved');
    }
    stop(watch);
  }

  async function step(watch: Watch): Promise<void> {
    if (closed) return;
    if (now() - watch.startedAt > giveUpAfterMs) {
      log.warn({ orderId: watch.orderId }, 'order cancellation still pending; no longer watched');
      return stop(watch);
    }
    try {
      if (watch.polling && !(await claims.renew(pollKey(watch), leaseMs))) watch.polling = false;
      if (!watch.polling) {
        // Standing by: another replica polls this order. Done, or take over if it stopped renewing.
        if (watch.requestKey && (await claims.held(doneKey(watch)))) return stop(watch);
        watch.polling = await claims.claim(pollKey(watch), leaseMs);
        if (!watch.polling) return schedule(watch, maxIntervalMs);
      }
      const state = await read(watch.orderId, watch.caller);
      watch.failures = 0;
      if (state.status === 'PENDING') {
        watch.requestKey ||= state.check_after ?? '';
        return schedule(watch, clamp(Date.parse(state.check_after ?? '') - now()));
      }
      if (state.status === 'CANCELLED' || state.status === 'REJECTED') return await publishOutcome(watch, state);
      stop(watch); // NO_REQUEST_FOUND, or a status this gateway does not know: nothing to wait for
    } catch (error) {
      if (error instanceof GatewayError && GIVE_UP_CODES.has(error.code)) {
        log.warn({ orderId: watch.orderId, code: error.code }, 'order cancellation no longer watched');
        return stop(watch);
      }
      watch.failures += 1;
      log.warn({ orderId: watch.orderId, err: error }, 'order cancellation poll failed; retrying');
      schedule(watch, clamp(minIntervalMs * 2 ** watch.failures));
    }
  }

  return {
    /**
     * Watches the cancellation of `orderId` (requested, PENDING until `checkAfter`) until it resolves,
     * polling as `caller`, and publishes its outcome once. Watching an order already watched is a no-op.
     */
    watchOrderCancellation(orderId: string, checkAfter: string | undefined, caller: Caller): void {
      if (closed || watches.has(orderId)) return;
      if (watches.size >= maxWatches) {
        log.warn({ orderId, maxWatches }, 'too many order cancellations watched; not watching this one');
        return;
      }
      const watch: Watch = { orderId, caller, requestKey: checkAfter ?? '', startedAt: now(), polling: false, failures: 0 };
      watches.set(orderId, watch);
      void (async () => {
        try {
          watch.polling = await claims.claim(pollKey(watch), leaseMs);
        } catch (error) {
          log.warn({ orderId, err: error }, 'could not claim the order cancellation poll; standing by');
        }
        schedule(watch, watch.polling ? clamp(Date.parse(checkAfter ?? '') - now()) : maxIntervalMs);
      })();
    },
    /** Orders this replica watches (polling or standing by). */
    watched: () => [...watches.keys()],
    async close() {
      closed = true;
      const polling = [...watches.values()].filter((watch) => watch.polling);
      for (const watch of watches.values()) clearTimeout(watch.timer);
      watches.clear();
      await Promise.all(polling.map((watch) => claims.release(pollKey(watch)).catch(() => undefined)));
    },
  };
}
export type CancellationWatcher = ReturnType<typeof createCancellationWatcher>;

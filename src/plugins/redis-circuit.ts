/**
 * A circuit on Redis itself, for what every operation asks Redis on its way (rate limit, failed-auth
 * guard, response cache): while Redis is known to be down, those commands are not sent at all, they
 * fail at once (`RedisSkippedError`), and each caller does what it does when Redis fails (the rate
 * limit and the guard let the request through, the cache misses). Without it, each of them waited for
 * its own command timeout on every operation: a Redis outage made every query slow.
 *
 * Known down:
 * - from the moment the connection closes (ioredis `close`) until it is `ready` again (ioredis
 *   reconnects by itself; nothing is sent meanwhile);
 * - after a command failed without a reply (timed out, connection error): Redis that is paused or cut
 *   off without the socket closing. Every `openMs` from then, the next command skipped starts a `PING`
 *   in the background (never a caller's command: no operation waits on a probe); its answer closes the
 *   circuit, its failure keeps it open for another `openMs`.
 * A reply error (`WRONGTYPE`, ...) is Redis answering: it does not open the circuit.
 *
 * One circuit per connection (`redisCircuitOf`), so every hot-path user of it shares what is known.
 */
import type { Redis } from 'ioredis';
import { ReplyError } from 'ioredis';

/** Thrown instead of sending a command while the circuit is open. */
export class RedisSkippedError extends Error {
  constructor() {
    super('Redis is unavailable; command skipped');
    this.name = 'RedisSkippedError';
  }
}

export interface RedisCircuitOptions {
  /** How long a failed command keeps the circuit open before one trial command. */
  openMs?: number;
  now?: () => number;
}

export interface RedisCircuit {
  /** Sends `command` unless Redis is known down; rejects with `RedisSkippedError` at once when it is. */
  run<T>(command: () => Promise<T>): Promise<T>;
  /** Whether commands are being skipped now (open, or a trial already out). */
  readonly open: boolean;
  /** Counters since the start: commands skipped, commands that failed without a reply, and times it opened. */
  readonly stats: { skipped: number; failed: number; opened: number };
}

type Connection = Pick<Redis, 'on' | 'status' | 'ping'>;

export function createRedisCircuit(redis: Connection, { openMs = 1_000, now = Date.now }: RedisCircuitOptions = {}): RedisCircuit {
  // The connection is lost from `close` to `ready`; at start it is being made, and commands queue for it.
  let connectionLost = ['close', 'reconnecting', 'end'].includes(redis.status);
  /** While open after a failed command: when the next probe may start. */
  let openUntil: number | undefined;
  let probing = false;
  const stats = { skipped: 0, failed: 0, opened: 0 };
  redis.on('close', () => {
    if (!refusing()) stats.opened += 1;
    connectionLost = true;
  });
  redis.on('ready', () => {
    connectionLost = false;
    openUntil = undefined;
  });

  const refusing = () => connectionLost || openUntil !== undefined;

  function probe(): void {
    if (connectionLost || probing || openUntil === undefined || now() < openUntil) return;
    probing = true;
    redis.ping().then(
      () => {
        openUntil = undefined;
      },
      (error: unknown) => {
        openUntil = error instanceof ReplyError ? undefined : now() + openMs;
      },
    ).finally(() => {
      probing = false;
    });
  }

  return {
    async run(command) {
      if (refusing()) {
        stats.skipped += 1;
        probe();
        throw new RedisSkippedError();
      }
      try {
        return await command();
      } catch (error) {
        if (!(error instanceof ReplyError)) {
          stats.failed += 1;
          if (!refusing()) stats.opened += 1;
          openUntil ??= now() + openMs;
        }
        throw error;
      }
    },
    get open() {
      return refusing();
    },
    stats,
  };
}

const circuits = new WeakMap<Connection, RedisCircuit>();

/** The one circuit of `redis` (made on first use, with `options`; later options are ignored). */
export function redisCircuitOf(redis: Connection, options?: RedisCircuitOptions): RedisCircuit {
  let circuit = circuits.get(redis);
  if (!circuit) circuits.set(redis, (circuit = createRedisCircuit(redis, options)));
  return circuit;
}

/**
 * `GET /ready`: whether this replica can serve traffic now (a load balancer's or Kubernetes' readiness
 * probe). `/health` (Yoga's) stays a liveness check: the process answers.
 *
 * Readiness tells whether sending traffic to THIS replica is worth it. Every replica facing one Klarna
 * (and one Redis) sees the same faults at the same moment: a check that fails on a passing fault takes
 * them all out together, and the load balancer is left with nowhere to send. So, for every upstream:
 * - its origin must answer a cheap probe (the HTTP layer's `probe`: any HTTP status counts, only
 *   reaching it matters), and
 * - its breakers must not ALL have been refusing calls for `breakerOpenMs` without a break (every
 *   operation used so far open or half-open: the API is down for this replica, not one endpoint
 *   flickering). A breaker that opens and closes again within that time never shows here.
 * Redis, when configured, is reported (`checks.redis`) but does not make the replica unready: without
 * it, queries are still answered (rate limit open, cache bypassed); it is listed in `degraded`.
 * 200 `{ status: "ready", checks, degraded? }`, else 503 `{ status: "not_ready", notReady: [names], checks }`.
 *
 * Probes are cached for `cacheMs` (and concurrent readiness requests share one round), so frequent
 * probing by many balancers costs Klarna at most one probe per origin per `cacheMs`. The breaker and
 * Redis states are read on every request (they cost nothing).
 */
import type { Plugin } from 'graphql-yoga';

/** What a probe learnt (the HTTP layer's `ProbeResult`, restated here so that this plugin imports no datasource). */
export type ReadinessProbeResult = { reached: true } | { reached: false; reason: 'timeout' } | { reached: false; reason: 'unreachable'; code: string };

export interface ReadinessUpstream {
  name: string;
  origin: string;
  /** How long every operation's breaker of this upstream has been refusing calls without a break (`undefined`: not all are). */
  breakerOpenForMs(): number | undefined;
  /** Whether `origin` answers at all within `timeoutMs`; never throws. */
  probe(options: { timeoutMs: number }): Promise<ReadinessProbeResult>;
}

export interface ReadinessOptions {
  upstreams: readonly ReadinessUpstream[];
  /** Redis connection state when Redis is configured (`true` when every connection is up). */
  redisConnected?: () => boolean;
  /** How long one round of origin probes is reused. */
  cacheMs: number;
  /** A probe not answered within this is a failure. */
  probeTimeoutMs: number;
  /** An upstream whose breakers have all refused calls this long without a break is not ready (default 30 s). */
  breakerOpenMs?: number;
  path?: string;
}

interface Check {
  ok: boolean;
  detail?: string;
}

function checkOf(result: ReadinessProbeResult): Check {
  if (result.reached) return { ok: true };
  return { ok: false, detail: result.reason === 'timeout' ? 'probe timed out' : `unreachable (${result.code})` };
}

export function createReadinessCheck(options: ReadinessOptions) {
  // One probe per origin, through the first upstream at it (both APIs may share one, as the sandbox does).
  const probeByOrigin = new Map<string, ReadinessUpstream>();
  for (const upstream of options.upstreams) if (!probeByOrigin.has(upstream.origin)) probeByOrigin.set(upstream.origin, upstream);
  let cached: { at: number; round: Promise<Map<string, Check>> } | undefined;

  function probeOrigins(): Promise<Map<string, Check>> {
    if (cached && performance.now() - cached.at < options.cacheMs) return cached.round;
    const round = Promise.all(
      [...probeByOrigin].map(async ([origin, upstream]) => [origin, checkOf(await upstream.probe({ timeoutMs: options.probeTimeoutMs }))] as const),
    ).then((entries) => new Map(entries));
    cached = { at: performance.now(), round };
    return round;
  }

  const breakerOpenMs = options.breakerOpenMs ?? 30_000;

  return async function check(): Promise<{ ready: boolean; notReady: string[]; degraded: string[]; checks: Record<string, Check> }> {
    const reached = await probeOrigins();
    const checks: Record<string, Check> = {};
    for (const upstream of options.upstreams) {
      const openForMs = upstream.breakerOpenForMs();
      const probed = reached.get(upstream.origin) ?? { ok: false, detail: 'not probed' };
      checks[upstream.name] =
        openForMs !== undefined && openForMs >= breakerOpenMs ? { ok: false, detail: `circuit breaker open for ${Math.round(openForMs / 1000)} s` } : probed;
    }
    const degraded: string[] = [];
    if (options.redisConnected) {
      checks.redis = options.redisConnected() ? { ok: true } : { ok: false, detail: 'not connected' };
      if (!checks.redis.ok) degraded.push('redis');
    }
    const notReady = Object.entries(checks).filter(([name, value]) => !value.ok && !degraded.includes(name)).map(([name]) => name);
    return { ready: notReady.length === 0, notReady, degraded, checks };
  };
}

export function useReadiness(options: ReadinessOptions): Plugin {
  const check = createReadinessCheck(options);
  const path = options.path ?? '/ready';
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return; // (not `async`: every other request passes with no promise)
      return check().then((result) => {
        const body = result.ready
          ? { status: 'ready', checks: result.checks, ...(result.degraded.length ? { degraded: result.degraded } : {}) }
          : { status: 'not_ready', notReady: result.notReady, checks: result.checks };
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), {
            status: result.ready ? 200 : 503,
            headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
          }),
        );
      });
    },
  };
}

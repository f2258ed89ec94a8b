/**
 * A readiness probe of an upstream origin: `HEAD /`, where any HTTP status counts (only reaching the
 * origin matters). It goes through undici's global dispatcher, not the upstream's pooled Agent, so a
 * replica busy on every pooled connection does not look unready, and it is neither a call (no retries,
 * no breaker, no metrics) nor traced.
 */
import { request } from 'undici';

/** What a probe learnt: the origin answered, or it did not within the time allowed, or could not be reached (`code`: the error's code or name). */
export type ProbeResult = { reached: true } | { reached: false; reason: 'timeout' } | { reached: false; reason: 'unreachable'; code: string };

export async function probeOrigin(origin: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await request(origin, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs });
    await response.body.dump();
    return { reached: true };
  } catch (error) {
    const code = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : 'error';
    return code === 'TimeoutError' || code === 'AbortError' ? { reached: false, reason: 'timeout' } : { reached: false, reason: 'unreachable', code };
  }
}

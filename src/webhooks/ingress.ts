/**
 * `POST <WEBHOOK_PATH>`: Klarna's webhooks enter here, as a Yoga plugin beside `/metrics` (so it runs
 * on the same server and port, is reachable in tests through `yoga.fetch`, and sees the raw body
 * before anything parses it).
 *
 * In order: size (413, the body is never read past the limit), signature (401), shape (400), the
 * replay window of `occurred_at` (400 `STALE_EVENT`: older than `maxAgeMs` or more than 5 minutes
 * ahead, `replay-window.ts`), then acceptance, one atomic step of the event log (`EventBus.publishOnce`): an event whose Klarna event
 * id was seen is dropped and answered 200 (a retry of an event already accepted), any other is
 * appended, its id remembered, and answered 202. Delivery to subscribers happens after, from the log.
 * If the log cannot take the event, nothing is remembered and the answer is 503, so Klarna retries: an
 * event is either in the log or not acknowledged (at worst, after a partial failure, in the log twice).
 * Signatures, secrets and bodies are never logged.
 */
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { parseEnvelope } from './envelope.ts';
import type { EventBus } from './memory-bus.ts';
import { DEFAULT_MAX_AGE_MS, MAX_FUTURE_MS, replayWindowProblem } from './replay-window.ts';
import { verifySignature } from './signature.ts';

/** How a webhook was answered: 202, 200 (a retry of an event already accepted), 401, 400 (malformed, stale), 413, 503. */
export type WebhookVerdict = 'accepted' | 'duplicate' | 'bad_signature' | 'malformed' | 'stale' | 'too_large' | 'unavailable';

export interface IngressOptions {
  path: string;
  maxBytes: number;
  signingKeys: Readonly<Record<string, string>>;
  /** Takes each event once under `webhook:<event_id>`: the first receipt of an event wins, on any replica. */
  bus: EventBus;
  /** How old an event (`occurred_at`) may be when it arrives (`WEBHOOK_MAX_AGE_MS`, default 24 hours). */
  maxAgeMs?: number;
  /**
   * How long an event id is remembered; default: the whole replay window (`maxAgeMs` + 5 minutes),
   * which is longer than Klarna's retries last (about 21.5 hours).
   */
  dedupeTtlMs?: number;
  /** The clock the replay window is read on, in ms. */
  now?: () => number;
  logger: Logger;
  /** Told every verdict (for metrics), with Klarna's event type once the body is trusted. */
  onVerdict?: (verdict: WebhookVerdict, type?: string) => void;
}

const TOO_LARGE = Symbol('too large');

/** Reads at most `maxBytes` of a body; stops reading (and cancels) as soon as it is exceeded. */
async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | typeof TOO_LARGE> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function useWebhookIngress(options: IngressOptions): Plugin {
  const { path, maxBytes, signingKeys, bus, logger, maxAgeMs = DEFAULT_MAX_AGE_MS, now = Date.now, onVerdict = () => undefined } = options;
  const { dedupeTtlMs = maxAgeMs + MAX_FUTURE_MS } = options;
  const log = logger.child({ component: 'webhook-ingress' });

  async function handle(request: Request, fetchAPI: { Response: typeof Response }): Promise<Response> {
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

    if (request.method !== 'POST') return answer(405, { error: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
    const declared = Number(request.headers.get('content-length'));
    const raw = declared > maxBytes ? TOO_LARGE : await readLimited(request.body, maxBytes);
    if (raw === TOO_LARGE) {
      log.warn({ maxBytes }, 'webhook refused: body too large');
      onVerdict('too_large');
      return answer(413, { error: 'PAYLOAD_TOO_LARGE', maxBytes });
    }
    const verdict = verifySignature(raw, request.headers, signingKeys);
    if (verdict !== 'valid') {
      log.warn({ reason: verdict, keyId: request.headers.get('klarna-signing-key-id')?.slice(0, 100) }, 'webhook refused: signature');
      onVerdict('bad_signature');
      return answer(401, { error: 'INVALID_SIGNATURE' });
    }
    const parsed = parseEnvelope(Buffer.from(raw).toString('utf8'));
    if (!parsed.ok) {
      log.warn({ problems: parsed.problems }, 'webhook refused: malformed body');
      onVerdict('malformed');
      return answer(400, { error: 'MALFORMED_EVENT', problems: parsed.problems });
    }
    const { facts } = parsed;
    const stale = replayWindowProblem(facts.occurredAt, now(), maxAgeMs);
    if (stale) {
      log.warn({ klarnaEventId: facts.klarnaEventId, type: facts.type, occurredAt: facts.occurredAt }, 'webhook refused: outside the replay window');
      onVerdict('stale', facts.type);
      return answer(400, { error: 'STALE_EVENT', problems: [stale] });
    }
    let id: string | undefined;
    try {
      id = await bus.publishOnce(`webhook:${facts.klarnaEventId}`, dedupeTtlMs, facts);
    } catch (error) {
      log.error({ err: error, klarnaEventId: facts.klarnaEventId }, 'webhook not accepted: event log unavailable');
      onVerdict('unavailable', facts.type);
      return answer(503, { error: 'UNAVAILABLE' }, { 'retry-after': '10' });
    }
    if (id === undefined) {
      log.info({ klarnaEventId: facts.klarnaEventId, type: facts.type }, 'webhook duplicate dropped');
      onVerdict('duplicate', facts.type);
      return answer(200, { status: 'DUPLICATE' });
    }
    log.info({ klarnaEventId: facts.klarnaEventId, type: facts.type, id }, 'webhook accepted');
    onVerdict('accepted', facts.type);
    return answer(202, { status: 'ACCEPTED', id });
  }

  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return; // (not `async`: every other request passes with no promise)
      return handle(request, fetchAPI).then(endResponse);
    },
  };
}

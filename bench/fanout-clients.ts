/**
 * One client process of the fan-out bench (`fanout.ts` forks several): `count` graphql-ws subscribers,
 * one WebSocket connection each (as a fleet of mobile devices is), all running the same subscription.
 * Talks to the bench over IPC:
 * - `{ type: 'open', url, query, count }` → opens the subscribers, answers `{ type: 'opened' }`;
 * - `{ type: 'status', eventIds }` → `{ type: 'status', warmed, arrived, errors }`: subscribers that
 *   received any event, and (subscriber, event) pairs of those events that arrived;
 * - `{ type: 'report', eventIds }` → `{ type: 'report', perEvent, lost, doubled, errors }`: for each of
 *   those events, the wall-clock times (ms since the epoch, comparable across processes) at which its
 *   subscribers received it; how many (subscriber, event) pairs never arrived, and arrived more than once;
 * - `{ type: 'close' }` → closes every connection and exits.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

type Message = { type: 'open'; url: string; query: string; count: number } | { type: 'status'; eventIds: string[] } | { type: 'report'; eventIds: string[] } | { type: 'close' };

const clients: Client[] = [];
/** Per event id: for each local subscriber, how many times it arrived, and when it first did. */
const arrivals = new Map<string, { counts: Uint16Array; at: Float64Array }>();
let warmed = 0;
let errors = 0;
let firstError: string | undefined;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message: unknown) => process.send!(message);

function record(subscriber: number, count: number, eventId: string, warmedUp: Uint8Array): void {
  let seen = arrivals.get(eventId);
  if (!seen) arrivals.set(eventId, (seen = { counts: new Uint16Array(count), at: new Float64Array(count) }));
  if (seen.counts[subscriber] === 0) seen.at[subscriber] = now();
  seen.counts[subscriber] = Math.min(65_535, seen.counts[subscriber]! + 1);
  if (!warmedUp[subscriber]) {
    warmedUp[subscriber] = 1;
    warmed += 1;
  }
}

/** Per local subscriber: whether its subscription opened (it received a warm-up event). */
let warmedUp = new Uint8Array(0);

async function open(url: string, query: string, count: number): Promise<void> {
  warmedUp = new Uint8Array(count);
  for (let index = 0; index < count; index += 1) {
    // A socket refused while thousands open at once (a full listen backlog on a busy machine) is
    // tried again, as a dashboard would reconnect; one that drops later resubscribes without `after`,
    // so what it missed shows as lost.
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 3, lazy: false, onNonLazyError: () => undefined });
    clients.push(client);
    client.subscribe(
      { query },
      {
        next: (result) => {
          const event = (result.data as { paymentProductStateChanged?: { klarnaEventId?: string } } | null | undefined)?.paymentProductStateChanged;
          if (event?.klarnaEventId) record(index, count, event.klarnaEventId, warmedUp);
          else if (result.errors?.length) {
            errors += 1;
            firstError ??= JSON.stringify(result.errors[0]);
          }
        },
        error: (error) => {
          errors += 1;
          const { code, reason } = error as { code?: number; reason?: string };
          const { message } = error as { message?: string };
          firstError ??= error instanceof Error ? error.message : code !== undefined ? `closed ${code} ${reason ?? ''}` : (message ?? JSON.stringify(error));
        },
        complete: () => undefined,
      },
    );
    if (index % 50 === 49) await sleep(20); // do not open hundreds of sockets in the same tick
  }
}

process.on('message', (message: Message) => {
  void (async () => {
    if (message.type === 'open') {
      await open(message.url, message.query, message.count);
      send({ type: 'opened' });
    } else if (message.type === 'status') {
      let arrived = 0;
      for (const eventId of message.eventIds) arrived += arrivals.get(eventId)?.counts.reduce((sum, times) => sum + (times > 0 ? 1 : 0), 0) ?? 0;
      send({ type: 'status', warmed, arrived, errors, firstError });
    } else if (message.type === 'report') {
      let lost = 0;
      let doubled = 0;
      for (const eventId of message.eventIds) {
        const seen = arrivals.get(eventId);
        for (let subscriber = 0; subscriber < clients.length; subscriber += 1) {
          if (!warmedUp[subscriber]) continue; // never opened: reported as such, not as lost
          const times = seen?.counts[subscriber] ?? 0;
          if (times === 0) lost += 1;
          if (times > 1) doubled += 1;
        }
      }
      send({ type: 'report', perEvent: message.eventIds.map((id) => Array.from(arrivals.get(id)?.at ?? []).filter((t) => t > 0)), lost, doubled, errors, firstError });
    } else {
      await Promise.all(clients.map((client) => client.dispose()));
      process.exit(0);
    }
  })();
});

/**
 * The floor of the fan-out bench (`npm run bench -- fanout --floor`): the least a server can do to
 * relay a webhook to graphql-ws subscribers, run in the gateway's place with the same clients. No
 * GraphQL, no verification, no bus, no access checks: it acknowledges every `connection_init`,
 * remembers every `subscribe` id, and on each `POST /webhooks/klarna` answers 202 and then writes one
 * `next` frame per subscription (the event id as `id` and `klarnaEventId`), in batches of 256 that
 * yield to the event loop, as the gateway's fan-out does.
 *
 * What it measures is the machine: the socket writes, the clients and the cores they share. A row of
 * the gateway is judged against this row in the same run.
 *
 * Serves `/metrics` with the two gauges the bench reads (RSS, heap used) and prints the line the
 * bench waits for: `Klarna Partner Gateway: <url>/graphql`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const BATCH = 256;
const subscriptions = new Map<WebSocket, string[]>();
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function relay(eventId: string): Promise<void> {
  const payload = JSON.stringify({ data: { paymentProductStateChanged: { id: eventId, klarnaEventId: eventId } } });
  let written = 0;
  for (const [socket, ids] of subscriptions) {
    for (const id of ids) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
    written += 1;
    if (written % BATCH === 0) await nextTurn();
  }
}

const server = createServer((request, response) => {
  if (request.url === '/metrics') {
    const { rss, heapUsed } = process.memoryUsage();
    response.end(`process_resident_memory_bytes ${rss}\nnodejs_heap_size_used_bytes ${heapUsed}\n`);
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const eventId = (JSON.parse(Buffer.concat(chunks).toString()) as { metadata: { event_id: string } }).metadata.event_id;
    response.writeHead(202).end();
    setImmediate(() => void relay(eventId));
  });
});

const wsServer = new WebSocketServer({ server, path: '/graphql', handleProtocols: () => 'graphql-transport-ws' });
wsServer.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe' && message.id) subscriptions.set(socket, [...(subscriptions.get(socket) ?? []), message.id]);
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
  });
  socket.on('close', () => subscriptions.delete(socket));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`Klarna Partner Gateway: http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});

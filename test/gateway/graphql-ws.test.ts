/**
 * The graphql-ws transport (`src/graphql-ws-socket.ts`): graphql-ws's protocol core on `ws` sockets,
 * with one heartbeat for every socket.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveGraphqlWs } from '../../src/graphql-ws-socket.ts';
import { createLogger } from '../../src/logger.ts';

const PROTOCOL = 'graphql-transport-ws';
const logger = createLogger({ level: 'silent' });

describe('serveGraphqlWs', () => {
  let wsServer: WebSocketServer;
  let served: ReturnType<typeof serveGraphqlWs>;
  let url: string;
  beforeAll(async () => {
    wsServer = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wsServer, 'listening');
    url = `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}`;
    served = serveGraphqlWs(
      { schema: buildSchema('type Query { hello: String }'), roots: { query: { hello: () => 'world' } }, connectionInitWaitTimeout: 200 },
      wsServer,
      { logger, isProd: true, keepAliveMs: 50 },
    );
  });
  afterAll(async () => {
    served.stop();
    for (const socket of wsServer.clients) socket.terminate();
    await new Promise((resolve) => wsServer.close(resolve));
  });

  /** A raw socket that has sent `connection_init` (the core then waits for no more). */
  async function initialised(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const socket = new WebSocket(url, PROTOCOL, options);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    const [ack] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(String(ack))).toEqual({ type: 'connection_ack' });
    return socket;
  }

  it('answers operations with graphql-ws clients', async () => {
    const client: Client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const result = await new Promise((resolve, reject) => client.subscribe({ query: '{ hello }' }, { next: resolve, error: reject, complete: () => undefined }));
      expect(result).toEqual({ data: { hello: 'world' } });
    } finally {
      await client.dispose();
    }
  });

  it('pings every socket and terminates one that did not answer the previous ping; one that answers stays', async () => {
    const answering = await initialised();
    const deaf = await initialised({ autoPong: false });
    let pings = 0;
    answering.on('ping', () => (pings += 1));
    const [code] = (await once(deaf, 'close')) as [number];
    expect(code).toBe(1006); // terminated: no close frame
    await expect.poll(() => pings, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });

  it('closes a socket whose connection_init does not come in time (4408), and one that sends no JSON (4400)', async () => {
    const silent = new WebSocket(url, PROTOCOL);
    const [silentCode] = (await once(silent, 'close')) as [number];
    expect(silentCode).toBe(4408);

    const garbled = await initialised();
    garbled.send('{ not json');
    const [garbledCode] = (await once(garbled, 'close')) as [number];
    expect(garbledCode).toBe(4400);
  });
});

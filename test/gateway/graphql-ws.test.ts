/**
 * The graphql-ws transport (`src/graphql-ws-socket.ts`): graphql-ws's protocol core on `ws` sockets,
 * with one heartbeat for every socket; and a connection's operations cancelled when its socket closes,
 * although the connection's signal is made only when one of them calls Klarna (`src/graphql-ws.ts`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { request } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { serveGraphqlWs } from '../../src/graphql-ws-socket.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';

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

/**
 * Klarna, as the gateway sees it: the sandbox, except that every read of one account is held (never
 * answered) and its end recorded: `cancelled` counts those the gateway gave up (the connection closed).
 */
function holdingAccountReads(sandbox: Sandbox) {
  let held = 0;
  let cancelled = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && /^\/v2\/accounts\/[^/?]+(\?|$)/.test(req.url ?? '')) {
      held += 1;
      res.on('close', () => {
        if (!res.writableEnded) cancelled += 1;
      });
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'connection'));
    void request(`${sandbox.url}${req.url}`, { method: req.method as 'GET', headers: headers as Record<string, string>, body: req.method === 'GET' ? null : req }).then(
      async (answer) => {
        res.writeHead(answer.statusCode, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name !== 'transfer-encoding' && name !== 'connection')) as Record<string, string>);
        res.end(Buffer.from(await answer.body.arrayBuffer()));
      },
      () => res.destroy(),
    );
  });
  return {
    server,
    held: () => held,
    cancelled: () => cancelled,
  };
}

describe('graphql-ws operations', () => {
  let sandbox: Sandbox;
  let upstream: ReturnType<typeof holdingAccountReads>;
  let gateway: RunningGateway;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    upstream = holdingAccountReads(sandbox);
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    gateway = await startGateway(
      // No timeout, deadline or retry ends a held read before the test does: only the socket's close can.
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'silent',
        UPSTREAM_HEADERS_TIMEOUT_MS: '600000',
        UPSTREAM_DEADLINE_MS: '600000',
        OPERATION_DEADLINE_MS: '600000',
        UPSTREAM_MAX_ATTEMPTS: '1',
      }),
      { managementUrl: upstreamUrl, cardServiceUrl: upstreamUrl, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` },
      { logger },
    );
  });
  afterAll(async () => {
    await gateway.close({ graceMs: 0 });
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
    await sandbox.close();
  });

  const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

  /** Sends `query` on a socket of its own, waits until its read of the account is held upstream, then closes the socket. */
  async function closeWhileReading(query: string): Promise<void> {
    const client = createClient({ url: gateway.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const heldBefore = upstream.held();
    client.subscribe({ query }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await expect.poll(() => upstream.held(), { timeout: 10_000 }).toBe(heldBefore + 1);
    await client.dispose();
  }

  it("cancels a query's upstream call when its socket closes", async () => {
    const before = upstream.cancelled();
    await closeWhileReading(`{ account(id: "${ACCOUNT}") { name } }`);
    await expect.poll(() => upstream.cancelled(), { timeout: 10_000 }).toBe(before + 1);
  });

  it("cancels the access check of a subscription being set up when its socket closes", async () => {
    const before = upstream.cancelled();
    await closeWhileReading(`subscription { paymentProductStateChanged(accountId: "${ACCOUNT}") { id } }`);
    await expect.poll(() => upstream.cancelled(), { timeout: 10_000 }).toBe(before + 1);
  });
});

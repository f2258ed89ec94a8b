/**
 * Graceful shutdown: the listener closes first; requests and graphql-ws operations in flight finish,
 * new ones are refused, late ones are cut at the one deadline.
 */
import { createClient } from 'graphql-ws';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startGateway } from '../../src/server.ts';

const QUERY = JSON.stringify({ query: '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }' });

describe('graceful shutdown', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
  });
  afterAll(() => sandbox.close());

  const start = () =>
    startGateway(loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent' }), {
      managementUrl: sandbox.url,
      cardServiceUrl: sandbox.url,
      serverAuthorization: `Basic ${sandbox.credentials.apiKey}`,
    }, { logger: createLogger({ level: 'silent' }) });
  const ask = (url: string) => request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });

  it('lets a request in flight finish, then refuses new connections', async () => {
    const gateway = await start();
    // The sandbox holds the request's upstream call: it is certainly in flight when the gateway closes.
    sandbox.faults.add({ operationId: 'getAccount', hold: true, times: 1 });
    const inFlight = ask(gateway.graphqlUrl);
    await expect.poll(() => sandbox.faults.waiting()).toBe(1);
    const closing = gateway.close({ graceMs: 30_000 });
    sandbox.faults.release();
    const response = await inFlight;
    expect(await response.body.json()).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
    await closing;
    await expect(ask(gateway.graphqlUrl)).rejects.toThrow();
  });

  it('cuts a request still running when the grace period ends', async () => {
    const gateway = await start();
    sandbox.faults.add({ operationId: 'getAccount', hold: true, times: 1 });
    const inFlight = ask(gateway.graphqlUrl).then(
      async (r) => r.body.text(),
      (error: Error) => error,
    );
    await expect.poll(() => sandbox.faults.waiting()).toBe(1);
    try {
      await gateway.close({ graceMs: 300 });
      // Closed while the upstream call is still held: the grace period, not the upstream, ended it.
      expect(sandbox.faults.waiting()).toBe(1);
      expect(await inFlight).toBeInstanceOf(Error);
    } finally {
      sandbox.faults.release();
    }
  });

  /**
   * A WebSocket (graphql-transport-ws) opened by hand that never reads again: it will never answer the
   * server's close frame, as a client on a dead network would not.
   */
  async function deafWebSocket(url: string): Promise<Socket> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    socket.write(
      `GET /graphql HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
    );
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
    socket.pause();
    return socket;
  }

  it('ends within the grace although a WebSocket client never answers the close frame', async () => {
    const gateway = await start();
    const deaf = await deafWebSocket(gateway.url);
    const ended = once(deaf, 'close');
    deaf.resume(); // read again only to see the end; the client never writes its close frame
    deaf.removeAllListeners('data');
    deaf.on('data', () => undefined);
    try {
      // `ws` waits 30 s for a close frame's answer; a grace of 200 ms must end long before that.
      const outcome = await Promise.race([gateway.close({ graceMs: 200 }).then(() => 'closed'), sleep(10_000).then(() => 'still waiting')]);
      expect(outcome).toBe('closed');
      await ended; // the gateway cut the socket
    } finally {
      deaf.destroy();
    }
  });

  it('stops accepting connections as soon as shutdown starts', async () => {
    const gateway = await start();
    // A request held in flight keeps the shutdown going while a new client tries its luck.
    sandbox.faults.add({ operationId: 'getAccount', hold: true, times: 1 });
    const inFlight = ask(gateway.graphqlUrl);
    await expect.poll(() => sandbox.faults.waiting()).toBe(1);
    const deaf = await deafWebSocket(gateway.url);
    const closing = gateway.close({ graceMs: 30_000 });
    try {
      await expect(ask(gateway.graphqlUrl)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      sandbox.faults.release();
      deaf.destroy();
    }
    const answered = await inFlight;
    expect(answered.statusCode).toBe(200);
    expect(answered.headers.connection, 'a keep-alive client is told to go elsewhere').toBe('close');
    await answered.body.dump();
    await closing;
  });

  it('completes an SSE subscription at once (its client subscribes again elsewhere), while a query in flight keeps its grace', async () => {
    const gateway = await start();
    // An SSE subscription, set up (its first bytes arrived), then idle: no event comes.
    const subscription = await request(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { accountEvents(accountId: "krn:partner:global:account:live:LWT2XJSE") { id } }' }),
    });
    expect(subscription.statusCode).toBe(200);
    expect(subscription.headers['content-type']).toMatch(/^text\/event-stream/);
    const stream = subscription.body.text();
    // A query whose Klarna call the sandbox holds: in flight throughout.
    sandbox.faults.add({ operationId: 'getAccount', hold: true, times: 1 });
    const inFlight = ask(gateway.graphqlUrl);
    await expect.poll(() => sandbox.faults.waiting()).toBe(1);
    const closing = gateway.close({ graceMs: 30_000 });
    try {
      // The stream ends with its final `complete` while the query is still held: the grace did not end it.
      expect(await stream).toMatch(/event: complete\ndata:\n\n$/);
      expect(sandbox.faults.waiting()).toBe(1);
    } finally {
      sandbox.faults.release();
    }
    expect(await (await inFlight).body.json()).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
    await closing;
  });

  it('answers a graphql-ws mutation in flight at shutdown before closing its socket with 1001', async () => {
    const gateway = await start();
    sandbox.faults.add({ operationId: 'createApiKey', hold: true, times: 1 });
    let closeCode: number | undefined;
    const client = createClient({
      url: gateway.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { closed: (event) => void (closeCode = (event as { code?: number }).code) },
      onNonLazyError: () => undefined,
    });
    const answered = new Promise<unknown>((resolve, reject) => {
      let result: unknown;
      client.subscribe(
        { query: 'mutation { createApiKey(input: { description: "in flight at SIGTERM" }) { ... on CreateApiKeyPayload { credential { description } } } }' },
        {
          next: (value) => void (result = value),
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolve(result),
        },
      );
    });
    await expect.poll(() => sandbox.faults.waiting()).toBe(1);
    const outcome = answered.catch((error: unknown) => error);
    // close() starts the shutdown before it first waits: Klarna still holds the write when it begins.
    const closing = gateway.close({ graceMs: 30_000 });
    sandbox.faults.release();
    expect(await outcome).toEqual({ data: { createApiKey: { credential: { description: 'in flight at SIGTERM' } } } });
    await closing;
    await expect.poll(() => closeCode).toBe(1001);
    await client.dispose();
  });

  it('SIGTERM: `npm start` exits soon after its grace (0.5 s) although a WebSocket client never answers', { timeout: 120_000 }, async () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const base = { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: repo,
      env: { ...base, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'silent', SANDBOX_ACCOUNTS: '1', SHUTDOWN_GRACE_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const found = /Klarna Partner Gateway: (http:\/\/\S+)\/graphql/.exec(stdout);
          if (found) resolve(found[1]!);
        });
        void exited.then(() => reject(new Error(`exited before listening: ${stdout}`)));
      });
      const deaf = await deafWebSocket(url);
      deaf.resume();
      deaf.on('data', () => undefined);
      child.kill('SIGTERM');
      // `ws` alone would wait 30 s for the close frame's answer: the process must be gone long before.
      const outcome = await Promise.race([exited.then(([code]) => ({ code })), sleep(15_000).then(() => 'still running')]);
      expect(outcome).toEqual({ code: 0 });
      deaf.destroy();
    } finally {
      child.kill('SIGKILL');
    }
  });
});

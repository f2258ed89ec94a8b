/** Graceful shutdown: requests in flight finish, new ones are refused, late ones are cut at the deadline. */
import { request } from 'undici';
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
});

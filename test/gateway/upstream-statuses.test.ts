/**
 * Statuses Klarna (or the proxies in front of it) may answer that say the request was too large:
 * 413, 414 (URI too long), 431 (request header fields too large). They are about what the caller
 * sent, so they are BAD_USER_INPUT, not UPSTREAM_UNAVAILABLE (which tells the caller to retry).
 * Klarna is played by a bare HTTP server answering the status under test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { gql } from '../utils/gateway.ts';

const QUERY = '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }';

describe('upstream statuses about the size of a request', () => {
  let status = 200;
  let server: Server;
  let gateway: RunningGateway;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'text/html' }).end('<html>too large</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    gateway = await startGateway(
      loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', UPSTREAM_MAX_ATTEMPTS: '1' }),
      { managementUrl: url, cardServiceUrl: url, serverAuthorization: 'Basic test-key' },
      { logger: createLogger({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it.each([413, 414, 431])('answers Klarna’s %i as BAD_USER_INPUT', async (tooLarge) => {
    status = tooLarge;
    const result = await gql(gateway, QUERY);
    expect(result.body.data).toEqual({ account: null });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.message).toMatch(/too large/);
  });

  it('still answers a failure of Klarna’s own (500) as UPSTREAM_UNAVAILABLE', async () => {
    status = 500;
    const result = await gql(gateway, QUERY);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

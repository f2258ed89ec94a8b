/**
 * A real gateway over a real sandbox, both on loopback ports, one pair per test file. Upstream calls
 * are counted by the sandbox's own counters, so a test proves how many calls a query made.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Logger } from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { startGateway, type RunningGateway } from '../../src/server.ts';
import { admin } from './sandbox.ts';

export interface GatewayTestOptions {
  sandbox?: SandboxOptions;
  /** Gateway environment overrides (`UPSTREAM_MAX_ATTEMPTS`, ...). */
  env?: Record<string, string>;
  /** Send no server-held credentials: callers must bring their own. */
  passthroughOnly?: boolean;
  /** The gateway's logger (default: silent, or `TEST_LOG_LEVEL`); pass one on a stream to read the logs. */
  logger?: Logger;
}

export interface GraphQLResult<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

export function useGateway(options: GatewayTestOptions = {}) {
  let sandbox: Sandbox | undefined;
  let gateway: RunningGateway | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 25, validateResponses: true, ...options.sandbox });
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', ...options.env });
    gateway = await startGateway(
      config,
      {
        managementUrl: sandbox.url,
        cardServiceUrl: sandbox.url,
        ...(options.passthroughOnly ? {} : { serverAuthorization: `Basic ${sandbox.credentials.apiKey}` }),
      },
      { logger: options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) },
    );
  });
  afterAll(async () => {
    const violations = sandbox?.responseViolations ?? [];
    await gateway?.close();
    await sandbox?.close();
    expect(violations, 'every response the sandbox sent validates against its contract').toEqual([]);
  });
  return {
    get sandbox(): Sandbox {
      if (!sandbox) throw new Error('not started');
      return sandbox;
    },
    get gateway(): RunningGateway {
      if (!gateway) throw new Error('not started');
      return gateway;
    },
  };
}

/** POSTs one GraphQL operation to the gateway. */
export async function gql<T = any>(
  gateway: Pick<RunningGateway, 'graphqlUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await request(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as GraphQLResult<T>['body'] };
}

/** Runs `work` and returns the upstream calls it made, by operation, as the sandbox counted them. */
export async function countCalls<T>(sandbox: Sandbox, work: () => Promise<T>) {
  await admin(sandbox, 'DELETE', '/counters');
  const result = await work();
  const counters = await admin<{ total: number; peakInFlight: number; byOperation: Record<string, { total: number }> }>(sandbox, 'GET', '/counters');
  const byOperation = Object.fromEntries(Object.entries(counters.byOperation).map(([operation, entry]) => [operation, entry.total]));
  return { result, total: counters.total, peakInFlight: counters.peakInFlight, byOperation };
}

/** The gateway's `/metrics` text (Prometheus exposition format). */
export async function scrapeMetrics(gateway: Pick<RunningGateway, 'url'>): Promise<string> {
  const response = await request(`${gateway.url}/metrics`);
  expect(response.statusCode).toBe(200);
  return response.body.text();
}

/** The value of one sample (0 when absent), by its exact name and labels as Prometheus prints them. */
export function metricSample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Test helpers for talking to a real sandbox over HTTP.
 *
 * `useSandbox()` starts one sandbox per test file (in `beforeAll`), closes it after, and fails the file
 * if any JSON response the sandbox sent during it did not validate against the contract.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { request } from 'undici';
import { startSandbox, DEMO_CREDENTIALS, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';

export const METADATA = JSON.stringify({
  integrator: { name: 'KLARNA_PARTNER_GATEWAY_TESTS', session_reference: 'vitest' },
});

/** Headers a well-behaved Partner Management client sends. */
export function pmHeaders(apiKey: string = DEMO_CREDENTIALS.apiKey): Record<string, string> {
  return {
    authorization: `Basic ${apiKey}`,
    'klarna-integration-metadata': METADATA,
  };
}

export interface CallOptions {
  body?: unknown;
  /** Extra headers; `undefined` removes a default one. */
  headers?: Record<string, string | undefined>;
  /** Replace the default credentials; `null` sends none. */
  apiKey?: string | null;
}

export interface CallResult<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

/** One HTTP call to the sandbox with the demo credentials and metadata header unless told otherwise. */
export async function call<T = any>(sandbox: Pick<Sandbox, 'url'>, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const base = options.apiKey === null ? { 'klarna-integration-metadata': METADATA } : pmHeaders(options.apiKey ?? undefined);
  const merged: Record<string, string | undefined> = { ...base, ...(options.headers ?? {}) };
  const headers = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await request(`${sandbox.url}${path}`, {
    method: method as 'GET',
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  let body: unknown = text;
  if (String(response.headers['content-type'] ?? '').includes('application/json') && text) body = JSON.parse(text);
  return { status: response.statusCode, headers: response.headers, body: body as T, text };
}

/** Calls an admin route (`/__sandbox/...`). */
export async function admin<T = any>(sandbox: Pick<Sandbox, 'url'>, method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(`${sandbox.url}/__sandbox${path}`, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`admin ${method} ${path}: ${response.statusCode} ${text}`);
  return JSON.parse(text) as T;
}

/** How many requests wait at a fault gate (`barrier` or `hold`) in the sandbox now. */
export async function waitingUpstream(sandbox: Pick<Sandbox, 'url'>): Promise<number> {
  return (await admin<{ waiting: number }>(sandbox, 'GET', '/faults/waiting')).waiting;
}

/** The last requests the sandbox answered for one operation since its counters were reset, oldest first. */
export async function requestsSent(sandbox: Pick<Sandbox, 'url'>, operationId: string): Promise<URL[]> {
  const recent = await admin<Record<string, string[]>>(sandbox, 'GET', '/requests');
  return (recent[operationId] ?? []).map((target) => new URL(target, sandbox.url));
}

/** Encodes an identifier for a path segment (KRNs contain colons). */
export const seg = (id: string) => encodeURIComponent(id);

export function useSandbox(options: SandboxOptions = {}) {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, validateResponses: true, ...options });
  });
  afterAll(async () => {
    const violations = sandbox?.responseViolations ?? [];
    await sandbox?.close();
    expect(violations, 'every response the sandbox sent validates against its contract').toEqual([]);
  });
  return {
    get sandbox(): Sandbox {
      if (!sandbox) throw new Error('sandbox not started yet');
      return sandbox;
    },
  };
}

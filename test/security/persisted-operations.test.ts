/**
 * Persisted operations: the allow-list mode production clients run under (manifest only), and
 * automatic persisted queries (APQ) for mobile clients, over real HTTP (and WebSocket for the
 * allow-list, where clients send documents).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { loadManifest, sha256Hex } from '../../src/plugins/persisted-operations.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { subscribe } from '../utils/events.ts';
import { countCalls, useGateway } from '../utils/gateway.ts';

const LISTED = 'query AccountName($id: ID!) { account(id: $id) { name } }';
const UNLISTED = 'query AccountState($id: ID!) { account(id: $id) { name state } }';
const SUBSCRIPTION = 'subscription Events($accountId: ID!) { accountEvents(accountId: $accountId) { id } }';

function writeManifest(entries: Record<string, string>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'operations.json');
  writeFileSync(path, JSON.stringify(entries));
  return path;
}

/** POSTs a GraphQL request body as it is (so tests choose what carries the document and the hash). */
async function post(url: string, body: Record<string, unknown>) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('persisted operations allow-list', () => {
  const manifest = writeManifest({ [sha256Hex(LISTED)]: LISTED, [sha256Hex(SUBSCRIPTION)]: SUBSCRIPTION });
  const context = useGateway({ env: { PERSISTED_OPERATIONS_MANIFEST: manifest, PERSISTED_OPERATIONS_ONLY: 'true' } });

  it('runs a listed operation named by its hash alone', async () => {
    const result = await post(context.gateway.graphqlUrl, { extensions: persisted(sha256Hex(LISTED)), variables: { id: DOCS_ACCOUNT_ID } });
    expect(result).toEqual({ status: 200, body: { data: { account: { name: 'Merchant ABC US' } } } });
  });

  it('refuses a document, even a listed one sent as text, with PERSISTED_QUERY_ONLY and no call to Klarna', async () => {
    for (const query of [UNLISTED, LISTED]) {
      const { result, total } = await countCalls(context.sandbox, () => post(context.gateway.graphqlUrl, { query, variables: { id: DOCS_ACCOUNT_ID } }));
      expect(result.status).toBe(400);
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
      expect(total).toBe(0);
    }
  });

  it('refuses a hash not in the manifest with PERSISTED_QUERY_NOT_FOUND, and registers nothing sent with a document', async () => {
    const hash = sha256Hex(UNLISTED);
    expect((await post(context.gateway.graphqlUrl, { extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } })).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await post(context.gateway.graphqlUrl, { query: UNLISTED, extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } });
    expect(register.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const again = await post(context.gateway.graphqlUrl, { extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('over WebSocket, accepts a listed document and refuses any other with PERSISTED_QUERY_ONLY', async () => {
    const refused = subscribe(context.gateway, 'subscription { accountEvents(accountId: "' + DOCS_ACCOUNT_ID + '") { id type } }');
    await refused.waitFor(1).catch(() => undefined);
    await expect.poll(() => refused.completed).toBe(true);
    expect(JSON.stringify(refused.error)).toContain('PERSISTED_QUERY_ONLY');
    await refused.dispose();

    const accepted = subscribe(context.gateway, SUBSCRIPTION, { accountId: DOCS_ACCOUNT_ID });
    await accepted.connected;
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(1);
    expect(accepted.error).toBeUndefined();
    await accepted.dispose();
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(0);
  });

  it('over WebSocket, accepts a listed document as a client prints it: other layout and order, Apollo\'s __typename', async () => {
    const printed = 'subscription Events(\n  $accountId: ID!\n) {\n  accountEvents(accountId: $accountId) {\n    __typename\n    id\n  }\n}';
    const accepted = subscribe(context.gateway, printed, { accountId: DOCS_ACCOUNT_ID });
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(1);
    expect(accepted.error).toBeUndefined();
    await accepted.dispose();
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(0);

    // One more field is another operation, however it is laid out.
    const widened = subscribe(context.gateway, printed.replace('id\n', 'id\n    type\n'), { accountId: DOCS_ACCOUNT_ID });
    await expect.poll(() => widened.completed).toBe(true);
    expect(JSON.stringify(widened.error)).toContain('PERSISTED_QUERY_ONLY');
    await widened.dispose();
  });

  it('accepts documentId (sha256:<hex> or hex) over HTTP, and a hash alone over WebSocket', async () => {
    for (const documentId of [`sha256:${sha256Hex(LISTED)}`, sha256Hex(LISTED)]) {
      const result = await post(context.gateway.graphqlUrl, { documentId, variables: { id: DOCS_ACCOUNT_ID } });
      expect(result).toEqual({ status: 200, body: { data: { account: { name: 'Merchant ABC US' } } } });
    }
    const unknown = await post(context.gateway.graphqlUrl, { documentId: `sha256:${sha256Hex(UNLISTED)}`, variables: { id: DOCS_ACCOUNT_ID } });
    expect(unknown.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    const client = createClient({ url: context.gateway.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    let error: unknown;
    const payload = { query: '', documentId: `sha256:${sha256Hex(SUBSCRIPTION)}`, variables: { accountId: DOCS_ACCOUNT_ID } };
    client.subscribe(payload, { next: () => {}, error: (reason) => (error = reason), complete: () => {} });
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(1);
    expect(error).toBeUndefined();
    await client.dispose();
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(0);
  });
});

describe('automatic persisted queries', () => {
  const context = useGateway({ env: { APQ_CACHE_BYTES: '4096' } });

  it('asks for the document of an unknown hash, keeps it once sent with its hash, then runs the hash alone', async () => {
    const query = `query ApqName($id: ID!) { account(id: $id) { name } } # ${Date.now()}`;
    const hash = sha256Hex(query);
    const first = await post(context.gateway.graphqlUrl, { extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } });
    expect(first.body.data).toBeUndefined();
    expect(first.body.errors).toEqual([expect.objectContaining({ message: 'PersistedQueryNotFound', extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) })]);

    const second = await post(context.gateway.graphqlUrl, { query, extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } });
    expect(second.body).toEqual({ data: { account: { name: 'Merchant ABC US' } } });

    const third = await post(context.gateway.graphqlUrl, { extensions: persisted(hash), variables: { id: DOCS_ACCOUNT_ID } });
    expect(third).toEqual({ status: 200, body: { data: { account: { name: 'Merchant ABC US' } } } });
  });

  it('refuses a document sent under a hash that is not its own, so no one can plant a document under another\'s hash', async () => {
    const victim = `query Victim { __typename } # ${Date.now()}`;
    const hash = sha256Hex(victim);
    const planted = await post(context.gateway.graphqlUrl, { query: '{ __schema { types { name } } }', extensions: persisted(hash) });
    expect(planted.status).toBe(400);
    expect(planted.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const lookup = await post(context.gateway.graphqlUrl, { extensions: persisted(hash) });
    expect(lookup.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('forgets the least recently used documents beyond APQ_CACHE_BYTES', async () => {
    const documents = Array.from({ length: 3 }, (_, index) => `query Big${index} { __typename } # ${'x'.repeat(1_800)} ${Date.now()}`);
    for (const query of documents) {
      expect((await post(context.gateway.graphqlUrl, { query, extensions: persisted(sha256Hex(query)) })).body.data).toEqual({ __typename: 'Query' });
    }
    const oldest = await post(context.gateway.graphqlUrl, { extensions: persisted(sha256Hex(documents[0]!)) });
    expect(oldest.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const newest = await post(context.gateway.graphqlUrl, { extensions: persisted(sha256Hex(documents[2]!)) });
    expect(newest.body.data).toEqual({ __typename: 'Query' });
  });

  it('still runs ordinary requests that carry a document and no hash', async () => {
    const result = await post(context.gateway.graphqlUrl, { query: LISTED, variables: { id: DOCS_ACCOUNT_ID } });
    expect(result.body).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });
});

describe('persisted operations configuration', () => {
  it('refuses allow-list mode without a manifest', () => {
    expect(() => loadConfig({ PERSISTED_OPERATIONS_ONLY: 'true' })).toThrow(/PERSISTED_OPERATIONS_MANIFEST: .*needs the manifest/);
  });

  it('refuses a manifest whose key is not its document\'s hash, or whose document does not parse', () => {
    expect(() => loadManifest(writeManifest({ [sha256Hex(LISTED)]: UNLISTED }))).toThrow(/is not a document under the sha256 hex of its text/);
    const broken = '{ account(';
    expect(() => loadManifest(writeManifest({ [sha256Hex(broken)]: broken }))).toThrow(/Syntax Error/);
    expect(loadManifest(writeManifest({ [sha256Hex(LISTED)]: LISTED })).get(sha256Hex(LISTED))).toBe(LISTED);
  });

  it('reads keys `sha256:<hex>` (GraphQL Code Generator\'s, the GraphQL-over-HTTP document id) as their hex', () => {
    expect([...loadManifest(writeManifest({ [`sha256:${sha256Hex(LISTED)}`]: LISTED })).keys()]).toEqual([sha256Hex(LISTED)]);
    expect(() => loadManifest(writeManifest({ [`sha256:${sha256Hex(LISTED)}`]: UNLISTED }))).toThrow(/is not a document under the sha256 hex/);
    expect(() => loadManifest(writeManifest({ [`sha1:${sha256Hex(LISTED)}`]: LISTED }))).toThrow(/is not a document under the sha256 hex/);
  });
});

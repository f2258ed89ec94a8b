/**
 * Persisted documents as the ecosystem writes them: GraphQL Code Generator's client preset writes
 * operations and `persisted-documents.json` (keys `sha256:<hex>`), the gateway starts in allow-list
 * mode with that file unchanged as its manifest, and clients run the operations by hash: Apollo Client
 * over HTTP (`extensions.persistedQuery` from the documents' `__meta__.hash`), the GraphQL-over-HTTP
 * `documentId` (POST and GET), graphql-ws by hash alone, and Apollo's graphql-ws link, which sends
 * the text it prints (another order than the manifest's). Anything else is refused, with no call to
 * Klarna.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { generate } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import { parse, print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { ingressUrl, productEvent, sendWebhook, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { countCalls, useGateway } from '../utils/gateway.ts';

/** The application's operations, as a developer writes them for the client preset. */
const OPERATIONS = `import { graphql } from './gql';

export const DashboardQuery = graphql(\`
  query Dashboard($id: ID!) {
    account(id: $id) {
      id
      name
      state
      storeGroups(first: 10) { edges { node { reference stores(first: 50) { edges { node { url type } } } } } }
      complianceDecisions(first: 5) { edges { node { type createdAt } } }
    }
  }
\`);

export const CreateKeyMutation = graphql(\`
  mutation CreateKey($input: CreateCredentialInput!) {
    createApiKey(input: $input) {
      ... on CreateApiKeyPayload { credential { klarnaId description } }
      ... on UserError { code message }
    }
  }
\`);
`;
const SUBSCRIPTION = `subscription AccountEvents($accountId: ID!) {
  accountEvents(accountId: $accountId) { id type accountId }
}
`;

interface Generated {
  DashboardQuery: DocumentNode;
  CreateKeyMutation: DocumentNode;
  AccountEventsDocument: DocumentNode;
}
const possibleTypes = JSON.parse(readFileSync(resolve('possible-types.json'), 'utf8')) as Record<string, string[]>;
const hashOf = (document: DocumentNode) => (document as unknown as { __meta__: { hash: string } }).__meta__.hash;

const env: Record<string, string> = { PERSISTED_OPERATIONS_ONLY: 'true', ...WEBHOOK_ENV };
let generated: Generated;
let manifest: Record<string, string>;

// Before the gateway starts (hooks run in order): the gateway reads the generated manifest.
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
  writeFileSync(join(dir, 'operations.ts'), OPERATIONS);
  writeFileSync(join(dir, 'events.graphql'), SUBSCRIPTION);
  await generate(
    {
      schema: resolve('schema.graphql'),
      documents: [join(dir, '*.ts'), join(dir, '*.graphql')],
      silent: true,
      generates: {
        [`${join(dir, 'gql')}/`]: {
          preset: 'client',
          presetConfig: { persistedDocuments: true },
          // As the client preset's documentation sets it up for Apollo Client (its cache needs __typename).
          documentTransforms: [addTypenameSelectionDocumentTransform],
        },
      },
    },
    true,
  );
  env.PERSISTED_OPERATIONS_MANIFEST = join(dir, 'gql', 'persisted-documents.json');
  manifest = JSON.parse(readFileSync(env.PERSISTED_OPERATIONS_MANIFEST, 'utf8')) as Record<string, string>;
  const operations = (await import(join(dir, 'operations.ts'))) as Omit<Generated, 'AccountEventsDocument'>;
  const types = (await import(join(dir, 'gql', 'graphql.ts'))) as Pick<Generated, 'AccountEventsDocument'>;
  generated = { ...operations, AccountEventsDocument: types.AccountEventsDocument };
}, 120_000);

const context = useGateway({ env });

/** A graphql-ws client of the gateway (closed after the file). */
const sockets: Client[] = [];
function wsClient(): Client {
  const client = createClient({ url: context.gateway.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  sockets.push(client);
  return client;
}
afterAll(async () => {
  await Promise.all(sockets.map((client) => client.dispose()));
});

function apolloClient(link = new HttpLink({ uri: context.gateway.graphqlUrl })) {
  const persisted = new PersistedQueryLink({
    // The hash codegen put on each document; a document it never saw gets the hash of its print.
    generateHash: (document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? createHash('sha256').update(print(document)).digest('hex'),
  });
  // possible-types.json (beside schema.graphql) is how Apollo matches `... on UserError` in a union.
  return new ApolloClient({ cache: new InMemoryCache({ possibleTypes }), link: persisted.concat(link) });
}

/** Resolves with the first event of a subscription, sending one product event once it is registered. */
async function firstEvent(subscribeTo: (sink: { next(value: unknown): void; error(error: unknown): void }) => () => void) {
  let unsubscribe = () => {};
  const event = new Promise<unknown>((next, error) => {
    unsubscribe = subscribeTo({ next, error });
  });
  const guard = event.catch(() => undefined);
  await Promise.race([subscribed(context.gateway, 1), guard]);
  await sendWebhook(ingressUrl(context.gateway), productEvent());
  try {
    return await event;
  } finally {
    unsubscribe();
    await expect.poll(() => context.gateway.events.bus.subscribers()).toBe(0);
  }
}

describe('GraphQL Code Generator client preset persisted documents, allow-list mode', () => {
  it('writes its manifest keyed sha256:<hex>, which the gateway starts with unchanged', () => {
    expect(Object.keys(manifest)).toHaveLength(3);
    for (const key of Object.keys(manifest)) expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(manifest)).toContain(hashOf(generated.DashboardQuery));
  });

  it('runs the query and the mutation by hash through Apollo Client over HTTP, sending no document', async () => {
    const bodies: unknown[] = [];
    const recording: typeof fetch = async (input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const client = apolloClient(new HttpLink({ uri: context.gateway.graphqlUrl, fetch: recording }));
    const dashboard = await client.query({ query: generated.DashboardQuery, variables: { id: DOCS_ACCOUNT_ID } });
    expect(dashboard.error).toBeUndefined();
    expect(dashboard.data).toMatchObject({ account: { __typename: 'Account', name: 'Merchant ABC US', storeGroups: { edges: expect.any(Array) } } });
    const created = await client.mutate({ mutation: generated.CreateKeyMutation, variables: { input: { description: 'codegen test' } } });
    expect(created.data).toMatchObject({ createApiKey: { __typename: 'CreateApiKeyPayload', credential: { description: 'codegen test' } } });
    expect(bodies).toHaveLength(2); // no retry with the document
    for (const body of bodies) {
      expect(body).not.toHaveProperty('query');
      expect(body).toMatchObject({ extensions: { persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) } } });
    }
  });

  it('runs the query by documentId, POST and GET, with or without the sha256: prefix', async () => {
    const hash = hashOf(generated.DashboardQuery);
    const variables = { id: DOCS_ACCOUNT_ID };
    for (const documentId of [hash, hash.slice('sha256:'.length)]) {
      const posted = await request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ documentId, variables }),
      });
      expect(posted.statusCode).toBe(200);
      expect(((await posted.body.json()) as any).data.account.name).toBe('Merchant ABC US');
      const search = new URLSearchParams({ documentId, variables: JSON.stringify(variables) });
      const got = await request(`${context.gateway.graphqlUrl}?${search}`, { headers: { accept: 'application/graphql-response+json' } });
      expect(got.statusCode).toBe(200);
      expect(((await got.body.json()) as any).data.account.name).toBe('Merchant ABC US');
    }
  });

  it('runs the subscription over graphql-ws by hash alone (documentId or extensions)', async () => {
    const hash = hashOf(generated.AccountEventsDocument);
    const payloads = [
      { query: '', documentId: hash, variables: { accountId: DOCS_ACCOUNT_ID } },
      { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables: { accountId: DOCS_ACCOUNT_ID } },
    ];
    for (const payload of payloads) {
      const client = wsClient();
      const event = await firstEvent((sink) => client.subscribe(payload, { next: sink.next, error: sink.error, complete: () => {} }));
      expect(event).toMatchObject({ data: { accountEvents: { accountId: DOCS_ACCOUNT_ID, type: expect.any(String) } } });
    }
  });

  it('runs the subscription through Apollo Client\'s graphql-ws link, which sends its own print of the document', async () => {
    const client = apolloClient(new GraphQLWsLink(wsClient()));
    const sent = print(client.documentTransform.transformDocument(generated.AccountEventsDocument));
    expect(Object.values(manifest)).not.toContain(sent); // not the manifest's text: it must be recognised as equivalent
    const event = await firstEvent((sink) => {
      const subscription = client.subscribe({ query: generated.AccountEventsDocument, variables: { accountId: DOCS_ACCOUNT_ID } }).subscribe(sink);
      return () => subscription.unsubscribe();
    });
    expect(event).toMatchObject({ data: { accountEvents: { __typename: expect.any(String), accountId: DOCS_ACCOUNT_ID } } });
  });

  it('refuses a document codegen never listed, by hash or as text, over HTTP and graphql-ws, with no call to Klarna', async () => {
    const unlisted = /* GraphQL */ `query Dashboard($id: ID!) { account(id: $id) { id name state reference } }`;
    const { result: refusals, total } = await countCalls(context.sandbox, async () => {
      const client = apolloClient();
      const apollo = await client.query({ query: parse(unlisted), variables: { id: DOCS_ACCOUNT_ID } }).then(
        () => undefined,
        (error: { errors?: { extensions?: { code?: string } }[] }) => error.errors?.map((each) => each.extensions?.code),
      );
      const ws = await new Promise<unknown>((settle) => {
        wsClient().subscribe({ query: unlisted, variables: { id: DOCS_ACCOUNT_ID } }, { next: settle, error: settle, complete: () => settle(undefined) });
      });
      const hashOnly = await new Promise<unknown>((settle) => {
        const payload = { query: '', documentId: `sha256:${'0'.repeat(64)}` };
        wsClient().subscribe(payload, { next: settle, error: settle, complete: () => settle(undefined) });
      });
      return { apollo, ws: JSON.stringify(ws), hashOnly: JSON.stringify(hashOnly) };
    });
    // Apollo sends the hash (not found), then the document (refused: only listed hashes run).
    expect(refusals.apollo).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(refusals.ws).toContain('PERSISTED_QUERY_ONLY');
    expect(refusals.hashOnly).toContain('PERSISTED_QUERY_NOT_FOUND');
    expect(total).toBe(0);
  });
});

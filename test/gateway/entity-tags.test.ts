/**
 * ETags and 304 (`src/plugins/entity-tags.ts`): with the response cache on, an answer it keeps carries
 * a weak, quoted ETag and revalidates to 304 on a matching `If-None-Match`; a changed answer, another
 * caller, or an answer that is `no-store` (card data; the cache off) never gets a 304, and a `no-store`
 * answer has no ETag at all.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { CARD_QUERY, DASHBOARD_QUERY } from '../../src/examples.ts';
import { matchesIfNoneMatch } from '../../src/plugins/entity-tags.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { countCalls, useGateway } from '../utils/gateway.ts';

const NAME = `query($id: ID!) { account(id: $id) { id name } }`;

describe('matchesIfNoneMatch', () => {
  it('compares weakly, in a list, and takes *', () => {
    expect(matchesIfNoneMatch('W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"abc"', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"x", W/"abc" ', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('*', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('W/"abd"', 'W/"abc"')).toBe(false);
    expect(matchesIfNoneMatch('abc', 'W/"abc"')).toBe(false);
  });
});

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

describe('ETag and 304 with the response cache on', () => {
  const context = useGateway({ env: { RESPONSE_CACHE_TTL_MS: '60000' } });
  const url = () => context.gateway.graphqlUrl;

  it('tags a cached answer with a quoted weak ETag, the same on the miss and on the hit, private and revalidated', async () => {
    const first = await post(url(), DASHBOARD_QUERY, {});
    const second = await post(url(), DASHBOARD_QUERY, {});
    expect(first.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.text).toBe(first.text);
    expect(second.headers['cache-control']).toBe('private, no-cache');
    expect(second.headers.vary).toMatch(/authorization/i);
    expect(second.headers['last-modified']).toBeUndefined();
  });

  it('answers 304 with no body and the ETag to a matching If-None-Match (POST or GET, whatever the coding), and 200 to another', async () => {
    const { headers } = await post(url(), DASHBOARD_QUERY, {});
    const etag = String(headers.etag);
    const notModified = await countCalls(context.sandbox, () => post(url(), DASHBOARD_QUERY, {}, { 'if-none-match': etag }));
    expect(notModified.result.status).toBe(304);
    expect(notModified.result.text).toBe('');
    expect(notModified.result.headers.etag).toBe(etag);
    expect(notModified.total).toBe(0);
    const compressed = await post(url(), DASHBOARD_QUERY, {}, { 'if-none-match': `"other", ${etag}`, 'accept-encoding': 'gzip, br' });
    expect(compressed.status).toBe(304);
    const gzipped = await request(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' }, body: JSON.stringify({ query: DASHBOARD_QUERY }) });
    await gzipped.body.dump();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.etag).toBe(etag);
    const get = await request(`${url()}?query=${encodeURIComponent(DASHBOARD_QUERY)}`, { headers: { accept: 'application/graphql-response+json', 'if-none-match': etag } });
    await get.body.dump();
    expect(get.statusCode).toBe(304);
    const other = await post(url(), DASHBOARD_QUERY, {}, { 'if-none-match': 'W/"AAAAAAAAAAAAAAAAAAAAAA"' });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text).data.account.name).toBeTruthy();
  });

  it('answers 200 with the new answer and a new ETag once the answer changed', async () => {
    const before = await post(url(), NAME, { id: DOCS_ACCOUNT_ID });
    const rename = `mutation($id: ID!) { updateAccount(input: { accountId: $id, name: "Merchant ABC Tagged" }) { __typename } }`;
    const mutation = await post(url(), rename, { id: DOCS_ACCOUNT_ID }, { 'if-none-match': String(before.headers.etag) });
    expect(mutation.status).toBe(200);
    expect(mutation.headers.etag).toBeUndefined();
    expect(mutation.headers['cache-control']).toBe('no-store');
    const after = await post(url(), NAME, { id: DOCS_ACCOUNT_ID }, { 'if-none-match': String(before.headers.etag) });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).data.account.name).toBe('Merchant ABC Tagged');
    expect(after.headers.etag).toMatch(/^W\/"/);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it("never answers one caller 304 with another's ETag, even for the same bytes", async () => {
    const mine = await post(url(), '{ __typename }', {});
    const theirs = await post(url(), '{ __typename }', {}, { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}`, 'if-none-match': String(mine.headers.etag) });
    expect(theirs.text).toBe(mine.text);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.etag).toMatch(/^W\/"/);
    expect(theirs.headers.etag).not.toBe(mine.headers.etag);
  });

  it('sends no ETag, and never 304, for an answer that is no-store (card data) or has errors', async () => {
    for (let round = 0; round < 2; round += 1) {
      const card = await post(url(), CARD_QUERY, {}, { 'if-none-match': '*' });
      expect(card.status).toBe(200);
      expect(card.headers.etag).toBeUndefined();
      expect(card.headers['last-modified']).toBeUndefined();
      expect(card.headers['cache-control']).toBe('no-store');
    }
    const refused = await post(url(), NAME, { id: 'krn:partner:global:account:live:NOPE0000' }, { 'if-none-match': '*' });
    expect(refused.status).toBe(200);
    expect(refused.headers.etag).toBeUndefined();
    expect(refused.headers['cache-control']).toBe('no-store');
  });
});

describe('ETag with the response cache off', () => {
  const context = useGateway();

  it('sends no ETag and answers in full whatever If-None-Match says', async () => {
    const answer = await post(context.gateway.graphqlUrl, DASHBOARD_QUERY, {}, { 'if-none-match': '*' });
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBeUndefined();
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});

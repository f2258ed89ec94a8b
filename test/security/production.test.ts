/**
 * Production mode (`NODE_ENV=production`): no introspection, no GraphiQL, no field suggestions, CSRF
 * prevention, no cross-origin access unless allowed; each of these is off or different in development,
 * which the last blocks show (so every assertion here can fail). Development allows pages served from
 * this machine (loopback origins) and no others unless `CORS_ORIGINS` lists them.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { countCalls, gql, useGateway, type GraphQLResult } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const CSRF = { 'x-graphql-yoga-csrf': '1' };

const codes = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.extensions?.code);
const messages = (result: GraphQLResult) => (result.body.errors ?? []).map((error) => error.message).join('\n');

/** The answer to a misspelt field, a misspelt enum literal and a misspelt enum variable. */
async function misspellings(gateway: Parameters<typeof gql>[0]) {
  const pricePlan = (category: string) => `pricePlan(id: "p", merchantCategoryCode: "5499", pricingPaymentCategory: ${category}) { id }`;
  return [
    await gql(gateway, '{ acount(id: "x") { name } }'),
    await gql(gateway, `{ ${pricePlan('DIGITL')} }`),
    await gql(gateway, `query($c: PricingPaymentCategory) { ${pricePlan('$c')} }`, { c: 'DIGITL' }),
  ];
}

async function send(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: string) {
  const response = await request(url, { method, headers: { accept: 'application/graphql-response+json', ...headers }, ...(body ? { body } : {}) });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, body: (text.startsWith('{') ? JSON.parse(text) : {}) as GraphQLResult['body'] };
}

/** The HTTP status of a WebSocket upgrade sent as a page of `origin` would (101: connected). */
function upgradeStatus(graphqlUrl: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Malformed requests and failing operations: none of the answers carries a stack trace. */
async function expectNoStackTraces(url: string) {
  const json = { 'content-type': 'application/json' };
  const answers = [
    await send(url, 'POST', json, '{"query": '),
    await send(url, 'POST', json, '[1, 2'),
    await send(url, 'POST', json, '"a string"'),
    await send(url, 'POST', json, JSON.stringify({ query: 42 })),
    await send(url, 'POST', json, JSON.stringify({ query: '{ account(id: 1) { name } }', variables: 'nope' })),
    await send(url, 'POST', json, JSON.stringify({ query: '{ __typename }', operationName: 'Missing' })),
    await send(url, 'POST', json, JSON.stringify({ query: 'query($id: ID!) { account(id: $id) { name } }', variables: { id: { nested: true } } })),
    await send(url, 'POST', json, JSON.stringify({ query: '{ account(id: "krn:partner:global:account:live:NOSUCH00") { name } }' })),
  ];
  for (const answer of answers) {
    expect(answer.body.errors?.length, answer.text).toBeGreaterThan(0);
    expect(answer.text).not.toMatch(/\bat .+\.(ts|js|cjs|mjs):\d+/);
    expect(answer.text).not.toMatch(/"stack"/);
    expect(answer.text).not.toContain('node_modules');
  }
}

describe('production mode', () => {
  const context = useGateway({ env: { NODE_ENV: 'production' } });

  it('refuses introspection with INTROSPECTION_DISABLED, without any call', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Account") { fields { name } } }', '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }']) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, query));
      expect(codes(result), query).toContain('INTROSPECTION_DISABLED');
      expect(result.body.data ?? null).toBeNull();
      expect(total).toBe(0);
    }
    // `__typename` is not introspection: clients need it for unions.
    expect((await gql(context.gateway, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('does not serve GraphiQL, and tells a browser that opens /graphql so and how to query', async () => {
    const response = await send(context.gateway.graphqlUrl, 'GET', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(response.text).not.toMatch(/<html|<script/i);
    expect(String(response.headers['content-type'])).toBe('application/json; charset=utf-8');
    expect(response.status).toBe(406);
    expect(codes({ ...response, headers: {} })).toEqual(['GRAPHIQL_DISABLED']);
    expect(messages({ ...response, headers: {} })).toContain('GRAPHIQL=true');
    expect(messages({ ...response, headers: {} })).toContain('POST /graphql with Content-Type: application/json');
  });

  it('hides field, argument and enum suggestions', async () => {
    const answers = await misspellings(context.gateway);
    for (const answer of answers) expect(answer.body.errors?.length).toBeGreaterThan(0);
    const text = answers.map(messages).join('\n');
    expect(text).toContain('Cannot query field "acount"');
    expect(text).not.toMatch(/did you mean/i);
    expect(text).not.toContain('"account"');
    expect(text).not.toContain('DIGITAL');
  });

  it('refuses a GET without the CSRF header, and a mutation over GET even with it', async () => {
    const query = encodeURIComponent(`{ account(id: "${ACCOUNT}") { name } }`);
    const { result: bare, total } = await countCalls(context.sandbox, () => send(`${context.gateway.graphqlUrl}?query=${query}`, 'GET', {}));
    expect(bare.status).toBe(403);
    expect(codes({ ...bare, headers: {} })).toEqual(['CSRF_HEADER_REQUIRED']);
    expect(total).toBe(0);
    const withHeader = await send(`${context.gateway.graphqlUrl}?query=${query}`, 'GET', CSRF);
    expect(withHeader.status).toBe(200);
    expect(withHeader.body.data).toEqual({ account: { name: 'Merchant ABC US' } });

    const mutation = encodeURIComponent(`mutation { updateAccount(input: { accountId: "${ACCOUNT}", name: "Changed" }) { __typename } }`);
    const { result: refused, total: mutationCalls } = await countCalls(context.sandbox, () => send(`${context.gateway.graphqlUrl}?query=${mutation}`, 'GET', CSRF));
    expect(refused.status).toBe(405);
    expect(mutationCalls).toBe(0);
  });

  it('refuses URL-encoded, multipart and text/plain POSTs (what a form on another site can send) with CSRF_HEADER_REQUIRED', async () => {
    const query = `mutation { updateAccount(input: { accountId: "${ACCOUNT}", name: "Forged" }) { __typename } }`;
    const attempts: [string, string][] = [
      ['application/x-www-form-urlencoded', new URLSearchParams({ query }).toString()],
      ['text/plain', JSON.stringify({ query })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query })}\r\n--x--\r\n`],
    ];
    for (const [contentType, body] of attempts) {
      const { result, total } = await countCalls(context.sandbox, () => send(context.gateway.graphqlUrl, 'POST', { 'content-type': contentType }, body));
      expect(result.status, contentType).toBe(403);
      expect(codes({ ...result, headers: {} }), contentType).toEqual(['CSRF_HEADER_REQUIRED']);
      expect(total, contentType).toBe(0);
    }
    const read = await gql(context.gateway, `{ account(id: "${ACCOUNT}") { name } }`);
    expect(read.body.data).toEqual({ account: { name: 'Merchant ABC US' } });
  });

  it('gives no cross-origin access when CORS_ORIGINS is unset', async () => {
    const preflight = await request(context.gateway.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    await preflight.body.dump();
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await gql(context.gateway, '{ __typename }', {}, { origin: 'https://evil.example' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a WebSocket from a page of another origin (browsers apply no CORS to WebSockets)', async () => {
    expect(await upgradeStatus(context.gateway.graphqlUrl, 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(context.gateway.graphqlUrl, context.gateway.url)).toBe(101); // its own pages (GraphiQL)
    expect(await upgradeStatus(context.gateway.graphqlUrl)).toBe(101); // not a browser
  });

  it('never puts a stack trace in an error', () => expectNoStackTraces(context.gateway.graphqlUrl));
});

describe('production mode with INTROSPECTION, GRAPHIQL and CORS_ORIGINS set', () => {
  const context = useGateway({ env: { NODE_ENV: 'production', INTROSPECTION: 'true', GRAPHIQL: 'true', CORS_ORIGINS: 'https://app.example.com, https://ops.example.com' } });

  it('answers introspection and serves GraphiQL', async () => {
    const introspection = await gql(context.gateway, '{ __type(name: "Account") { name } }');
    expect(introspection.body).toEqual({ data: { __type: { name: 'Account' } } });
    const page = await send(context.gateway.graphqlUrl, 'GET', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/graphiql/i);
  });

  it('lets the listed origins, and only those, call across origins', async () => {
    const preflight = async (origin: string) => {
      const response = await request(context.gateway.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      await response.body.dump();
      return response.headers;
    };
    const allowed = await preflight('https://ops.example.com');
    expect(allowed['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(allowed['access-control-max-age']).toBe('600'); // the browser reuses the preflight for 10 minutes
    expect(allowed['access-control-allow-credentials']).toBe('true');
    expect(String(allowed['access-control-allow-headers'])).toContain('authorization');
    expect((await preflight('https://evil.example'))['access-control-allow-origin']).toBeUndefined();
    const answer = await gql(context.gateway, '{ __typename }', {}, { origin: 'https://app.example.com' });
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(answer.headers['access-control-expose-headers']).toBe('x-request-id'); // the page's script may read it
    expect(await upgradeStatus(context.gateway.graphqlUrl, 'https://app.example.com')).toBe(101);
    expect(await upgradeStatus(context.gateway.graphqlUrl, 'https://evil.example')).toBe(403);
  });
});

describe('development mode, for contrast', () => {
  const context = useGateway();

  it('never puts a stack trace in an error either', () => expectNoStackTraces(context.gateway.graphqlUrl));

  it('shows suggestions, answers a plain GET and pages served from this machine', async () => {
    const text = (await misspellings(context.gateway)).map(messages).join('\n');
    expect(text).toContain('Did you mean "account"');
    expect(text).toContain('DIGITAL');
    const query = encodeURIComponent('{ __typename }');
    expect((await send(`${context.gateway.graphqlUrl}?query=${query}`, 'GET', {})).status).toBe(200);
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://localhost']) {
      const answer = await gql(context.gateway, '{ __typename }', {}, { origin });
      expect(answer.headers['access-control-allow-origin'], origin).toBe(origin);
      expect(answer.headers['access-control-allow-credentials'], origin).toBe('true');
      expect(answer.headers['access-control-expose-headers']).toBe('x-request-id');
      const preflight = await request(context.gateway.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      await preflight.body.dump();
      expect(preflight.headers['access-control-allow-origin'], origin).toBe(origin);
      expect(preflight.headers['access-control-allow-headers']).toBe('content-type,authorization');
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(await upgradeStatus(context.gateway.graphqlUrl, origin), origin).toBe(101);
    }
  });

  it('gives a page of any other origin no CORS allowance and refuses its WebSocket (403), though the gateway holds a key', async () => {
    const crossSite = ['https://anything.example', 'http://localhost.evil.example:3000', 'http://127.0.0.1.nip.io', 'https://localhost:3000', 'null'];
    for (const origin of crossSite) {
      const answer = await gql(context.gateway, '{ __typename }', {}, { origin });
      expect(answer.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(answer.headers['access-control-allow-credentials'], origin).toBeUndefined();
      const preflight = await request(context.gateway.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      await preflight.body.dump();
      expect(preflight.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(await upgradeStatus(context.gateway.graphqlUrl, origin), origin).toBe(403);
    }
    // Nor may it send what a browser sends unasked: a form POST running a mutation with the gateway's key.
    const crossSiteForm = await countCalls(context.sandbox, async () => {
      const form = await request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { origin: 'https://anything.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${encodeURIComponent('mutation { createApiKey(input: { name: "csrf" }) { __typename } }')}`,
      });
      expect(form.statusCode).toBe(403);
      expect(((await form.body.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    });
    expect(crossSiteForm.total, 'Klarna calls').toBe(0);
    // The gateway's own origin (GraphiQL served by it) may open a WebSocket; a client without an Origin is no browser.
    expect(await upgradeStatus(context.gateway.graphqlUrl, new URL(context.gateway.graphqlUrl).origin)).toBe(101);
    expect(await upgradeStatus(context.gateway.graphqlUrl)).toBe(101);
  });
});

describe('development mode with CORS_ORIGINS set', () => {
  const context = useGateway({ env: { CORS_ORIGINS: 'https://app.example.com' } });

  it('lets only the listed origins call, not loopback pages', async () => {
    expect((await gql(context.gateway, '{ __typename }', {}, { origin: 'https://app.example.com' })).headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect((await gql(context.gateway, '{ __typename }', {}, { origin: 'http://localhost:5173' })).headers['access-control-allow-origin']).toBeUndefined();
    expect(await upgradeStatus(context.gateway.graphqlUrl, 'https://app.example.com')).toBe(101);
    expect(await upgradeStatus(context.gateway.graphqlUrl, 'http://localhost:5173')).toBe(403);
  });
});

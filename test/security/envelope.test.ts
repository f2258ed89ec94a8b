/**
 * The HTTP envelope of a GraphQL request, fuzzed: malformed bodies and parameters (invalid JSON, junk
 * batches, parameters of the wrong type, huge values) are each refused with a documented code and a
 * 4xx status, never a 500 or INTERNAL_SERVER_ERROR, never a line at error level in the log (no stack
 * traces to flood it), and without any call to Klarna. And `Accept` is settled before anything runs:
 * a mutation the client could not read the answer of is not applied.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { answerCodes, documentedErrorCodes } from '../utils/documented-codes.ts';
import { countCalls, useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';

const DOCUMENTED = documentedErrorCodes();
const lines: string[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
const errorLines = () => lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg?: string }).filter((entry) => entry.level >= 50);

interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

async function send(url: string, { method = 'POST', body, headers = {} }: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await request(url, {
    method: method as 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), accept: 'application/graphql-response+json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.body.text();
  const contentType = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, contentType, body: contentType.includes('json') && text ? JSON.parse(text) : text };
}

/** A deterministic source of junk JSON values (no Math.random: a failure must replay). */
function junkValues(seed: number, count: number): unknown[] {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const value = (depth: number): unknown => {
    switch (pick(['number', 'string', 'boolean', 'null', 'array', 'object', 'bigstring'] as const)) {
      case 'number':
        return pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308]);
      case 'string':
        return pick(['', '{', '{}', '[]', 'null', '{ __typename }', 'query Q { __typename }', '\u0000', '%7B', '\ud800', 'x'.repeat(300)]);
      case 'boolean':
        return next() < 0.5;
      case 'null':
        return null;
      case 'bigstring':
        return 'y'.repeat(20_000);
      case 'array':
        return depth > 2 ? [] : Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      case 'object':
        return depth > 2 ? {} : Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, (_, index) => [pick(['a', '__proto__', 'query', 'persistedQuery', `k${index}`]), value(depth + 1)]));
    }
  };
  return Array.from({ length: count }, () => value(0));
}

/** Expects an answer refused (or answered) with documented codes only, and never a server error. */
function expectDocumented(answer: Answer, what: string) {
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.contentType, what).toMatch(/^application\/(graphql-response\+)?json/);
  const codes = answerCodes(answer.body);
  for (const code of codes) expect(DOCUMENTED.has(code), `${what}: ${code}`).toBe(true);
  expect(codes, what).not.toContain('INTERNAL_SERVER_ERROR');
}

describe('request envelope', () => {
  const context = useGateway({ logger });
  const url = () => context.gateway.graphqlUrl;
  const get = (search: string, headers: Record<string, string> = {}) => send(`${url()}?${search}`, { method: 'GET', headers });
  const post = (body: string, headers: Record<string, string> = {}) => send(url(), { body, headers });
  const json = (body: unknown) => post(JSON.stringify(body));

  it('refuses a variables or extensions parameter that is not JSON with 400 BAD_REQUEST, naming it, and logs no error', async () => {
    lines.length = 0;
    const { result, total } = await countCalls(context.sandbox, () => get('query={__typename}&variables=%7B'));
    expect(total).toBe(0);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ errors: [{ message: expect.stringContaining('`variables`'), extensions: { code: 'BAD_REQUEST' } }] });
    const extensions = await get('query={__typename}&extensions=%7B');
    expect(extensions.status).toBe(400);
    expect(answerCodes(extensions.body)).toEqual(['BAD_REQUEST']);
    const operationName = await json({ query: '{ __typename }', operationName: 5 });
    expect(operationName.status).toBe(400);
    expect(operationName.body).toEqual({ errors: [{ message: '`operationName` must be a string.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(errorLines()).toEqual([]);
  });

  it('answers every malformed envelope in the table with a documented code, no 500, no call to Klarna and nothing logged as an error', async () => {
    const huge = 'N'.repeat(100_000);
    const cases: [string, () => Promise<Answer>, number?][] = [
      ['GET variables not JSON', () => get('query={__typename}&variables=%7B'), 400],
      ['GET variables half JSON', () => get('query={__typename}&variables=%7B%22a%22%3A'), 400],
      ['GET extensions not JSON', () => get('query={__typename}&extensions=nope'), 400],
      ['GET variables an array', () => get('query={__typename}&variables=%5B1%5D'), 400],
      ['GET variables a number', () => get('query={__typename}&variables=5'), 400],
      ['GET extensions a string', () => get('query={__typename}&extensions=%22x%22'), 400],
      ['GET long operationName', () => get(`query={__typename}&operationName=${'N'.repeat(4_000)}`), 400],
      ['GET no query', () => get('variables=%7B%7D'), 400],
      ['GET document that does not parse', () => get('query=%7B'), 400],
      ['GET a mutation', () => get('query=mutation%7BcreateApiKey(input%3A%7B%7D)%7B__typename%7D%7D'), 405],
      ['body not JSON', () => post('{'), 400],
      ['body empty', () => post(''), 400],
      ['body binary junk', () => post('\u0000\u00ff\ud800garbage'), 400],
      ['body null', () => post('null'), 400],
      ['body a number', () => post('5'), 400],
      ['body a string', () => post('"{ __typename }"'), 400],
      ['body true', () => post('true'), 400],
      ['batch of numbers', () => json([1, 2])],
      ['batch of null', () => json([null])],
      ['batch of arrays', () => json([[], [{ query: '{ __typename }' }]])],
      ['batch of strings', () => json(['{ __typename }'])],
      ['query a number', () => json({ query: 5 }), 400],
      ['query an object', () => json({ query: {} }), 400],
      ['query an array', () => json({ query: ['{ __typename }'] }), 400],
      ['variables a string', () => json({ query: '{ __typename }', variables: '{}' }), 400],
      ['variables an array', () => json({ query: '{ __typename }', variables: [] }), 400],
      ['variables a number', () => json({ query: '{ __typename }', variables: 5 }), 400],
      ['operationName a number', () => json({ query: '{ __typename }', operationName: 5 }), 400],
      ['operationName an object', () => json({ query: '{ __typename }', operationName: {} }), 400],
      ['operationName an array', () => json({ query: '{ __typename }', operationName: ['Q'] }), 400],
      ['operationName a boolean', () => json({ query: '{ __typename }', operationName: true }), 400],
      ['operationName huge', () => json({ query: '{ __typename }', operationName: huge }), 400],
      ['operationName huge, naming the operation (answered)', () => json({ query: `query ${huge} { __typename }`, operationName: huge }), 200],
      ['extensions a string', () => json({ query: '{ __typename }', extensions: 'x' }), 400],
      ['extensions an array', () => json({ query: '{ __typename }', extensions: [] }), 400],
      ['persistedQuery junk', () => json({ extensions: { persistedQuery: { version: 'one', sha256Hash: 5 } } }), 400],
      ['unknown parameter', () => json({ query: '{ __typename }', mutation: 'x' }), 400],
      ['no query at all', () => json({}), 400],
      ['form body with bad variables', () => post('query=%7B__typename%7D&variables=%7B', { 'content-type': 'application/x-www-form-urlencoded' }), 400],
      ['text body', () => post('{ __typename }', { 'content-type': 'text/plain' }), 415],
      ['no content type', () => send(url(), { body: '{}', headers: { 'content-type': '' } }), 415],
      ['PUT', () => send(url(), { method: 'PUT', body: '{}' }), 405],
    ];
    lines.length = 0;
    const { result: answers, total } = await countCalls(context.sandbox, async () => {
      const all: Answer[] = [];
      for (const [, sendCase] of cases) all.push(await sendCase());
      return all;
    });
    cases.forEach(([what, , status], index) => {
      expectDocumented(answers[index]!, what);
      if (status) expect(answers[index]!.status, what).toBe(status);
      if (status !== 200) expect(answerCodes(answers[index]!.body).length, what).toBeGreaterThan(0);
    });
    expect(total).toBe(0);
    expect(errorLines()).toEqual([]);
  });

  it('answers generated junk in each parameter with documented codes only', async () => {
    const junk = junkValues(20_250_601, 60);
    const bodies = junk.flatMap((value) => [
      { query: value },
      { query: '{ __typename }', variables: value },
      { query: '{ __typename }', operationName: value },
      { query: '{ __typename }', extensions: value },
      value,
    ]);
    lines.length = 0;
    const { result: answers, total } = await countCalls(context.sandbox, () => Promise.all(bodies.map((body) => json(body))));
    answers.forEach((answer, index) => expectDocumented(answer, JSON.stringify(bodies[index]).slice(0, 120)));
    expect(total).toBe(0);
    expect(errorLines()).toEqual([]);
  });
});

describe('Accept', () => {
  const context = useGateway({ logger });
  const CREATE_KEY = 'mutation { createApiKey(input: { description: "accept test" }) { __typename } }';
  const post = (query: string, accept: string | undefined) =>
    send(context.gateway.graphqlUrl, { body: JSON.stringify({ query }), headers: accept === undefined ? {} : { accept } });

  it('refuses a mutation whose answer the client cannot accept before running it: 406 NOT_ACCEPTABLE, no call, nothing applied', async () => {
    const ledger = await admin(context.sandbox, 'GET', '/ledger');
    const keys = await send(context.gateway.graphqlUrl, { body: JSON.stringify({ query: '{ apiKeys { klarnaId } }' }) });
    for (const accept of ['application/xml', 'text/html', 'image/png, text/plain', 'application/json; charset=latin1']) {
      const { result, total } = await countCalls(context.sandbox, () => post(CREATE_KEY, accept));
      expect(total, accept).toBe(0);
      expect(result.status, accept).toBe(406);
      expect(answerCodes(result.body), accept).toEqual(['NOT_ACCEPTABLE']);
    }
    // An answer in parts (@defer) the client cannot take: refused before it runs too.
    const deferred = await countCalls(context.sandbox, () => post('mutation { createApiKey(input: { description: "deferred" }) { __typename ... @defer { __typename } } }', 'application/json'));
    expect(deferred.total).toBe(0);
    expect(deferred.result.status).toBe(406);
    expect(answerCodes(deferred.result.body)).toEqual(['NOT_ACCEPTABLE']);
    // A subscription over HTTP is answered as server-sent events only.
    const subscription = await countCalls(context.sandbox, () => post('subscription { klarnaEvents { id } }', 'application/json'));
    expect(subscription.total).toBe(0);
    expect(answerCodes(subscription.result.body)).toEqual(['NOT_ACCEPTABLE']);

    expect(await admin(context.sandbox, 'GET', '/ledger')).toEqual(ledger);
    const keysAfter = await send(context.gateway.graphqlUrl, { body: JSON.stringify({ query: '{ apiKeys { klarnaId } }' }) });
    expect(keysAfter.body).toEqual(keys.body);
  });

  it('keeps answering what Yoga answers: JSON, GraphQL response JSON, multipart, event streams, wildcards, no Accept, and GraphiQL for a browser', async () => {
    const accepted: (string | undefined)[] = [
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json;q=0.9',
      'multipart/mixed',
      'text/event-stream',
      '*/*',
      'application/*',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      undefined,
    ];
    for (const accept of accepted) {
      const answer = await post('{ __typename }', accept);
      expect(answer.status, accept).toBe(200);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      expect(text, accept).toContain('"__typename":"Query"');
    }
    const graphiql = await request(context.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(graphiql.statusCode).toBe(200);
    expect(await graphiql.body.text()).toMatch(/<html/i);
  });
});

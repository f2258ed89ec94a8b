/**
 * `useOperationOutcome` alone, in process (`yoga.fetch`) on a tiny schema: every operation is told
 * to the observers exactly once, with the outcome, codes and fields the metrics, log and span read.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { principalFor } from '../../src/auth/principal.ts';
import { useOperationOutcome } from '../../src/plugins/operation-outcome.ts';
import { createOperationTracing } from '../../src/plugins/tracing.ts';
import type { OperationOutcome } from '../../src/telemetry/operation-outcome.ts';

/** A promise the test resolves: holds the deferred field until the first part has been read. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** With `traced`, the span plugin too, exporting to memory. */
function setup({ traced = false }: { traced?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const tracing = traced ? createOperationTracing(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test')) : undefined;
  const outcomes: OperationOutcome[] = [];
  const eventErrors: string[][] = [];
  let held = gate();
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Query { fine: String, missing: String, slow: String }
        type Subscription { ticks: Int }
      `,
      resolvers: {
        Query: {
          fine: () => 'fine',
          missing: () => {
            throw new GraphQLError('Not found.', { extensions: { code: 'NOT_FOUND' } });
          },
          slow: async () => {
            await held.opened;
            throw new GraphQLError('Too slow.', { extensions: { code: 'OPERATION_TIMEOUT' } });
          },
        },
        Subscription: {
          ticks: {
            async *subscribe() {
              yield { ticks: 1 };
            },
            resolve: (payload: { ticks: number }) => {
              if (payload.ticks === 1) throw new GraphQLError('Forbidden.', { extensions: { code: 'FORBIDDEN' } });
              return payload.ticks;
            },
          },
        },
      },
    }),
    // A context as the gateway's: made after validation; refused when the caller says so.
    context: ({ request }) => {
      if (request.headers.has('x-refuse')) throw new GraphQLError('Refused.', { extensions: { code: 'UNAUTHENTICATED' } });
      return { requestId: 'request-0001', principal: { hash: 'principal-hash' }, budget: { calls: 2, refused: 1 } };
    },
    maskedErrors: false,
    logging: false,
    plugins: [
      ...(tracing ? [tracing.plugin] : []),
      useDeferStream(),
      useOperationOutcome([{ onOutcome: (outcome) => void outcomes.push(outcome), onEventErrors: (codes) => void eventErrors.push([...codes]) }, ...(tracing ? [tracing.observer] : [])]),
    ],
  });
  const post = (query: string, headers: Record<string, string> = {}) =>
    yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify({ query }) });
  const spans = () => exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, status: span.status.code }));
  return { yoga, post, outcomes, eventErrors, spans, hold: () => (held = gate()), release: () => held.open() };
}

const codesOf = (outcome: OperationOutcome | undefined) => Object.fromEntries(outcome?.errorCodes ?? []);

describe('useOperationOutcome', () => {
  it('tells one ok outcome with the name, type, request id, principal and upstream calls of the context', async () => {
    const { post, outcomes } = setup();
    await (await post('query Fine { fine }')).json();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      name: 'Fine',
      type: 'query',
      outcome: 'ok',
      requestId: 'request-0001',
      principalHash: 'principal-hash',
      presentedPrincipalHash: undefined,
      upstreamCalls: 2,
      upstreamCallsRefused: 1,
      durationMs: expect.any(Number),
    });
    expect(outcomes[0]!.errorCodes.size).toBe(0);
  });

  it('tells an execution with errors as error, counting each code', async () => {
    const { post, outcomes } = setup();
    await (await post('query Missing { a: missing b: missing fine }')).json();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ name: 'Missing', type: 'query', outcome: 'error' });
    expect(codesOf(outcomes[0])).toEqual({ NOT_FOUND: 2 });
  });

  it('tells documents that do not validate or parse as refused, with the fallback codes and the presented credentials\' hash', async () => {
    const { post, outcomes } = setup();
    await (await post('query Broken { noSuchField }', { authorization: 'Basic c2VjcmV0' })).json();
    await (await post('query Unparsable {')).json();
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toMatchObject({ name: 'Broken', type: 'query', outcome: 'refused', principalHash: undefined, upstreamCalls: undefined });
    expect(outcomes[0]!.presentedPrincipalHash).toBe(principalFor('Basic c2VjcmV0').hash);
    expect(codesOf(outcomes[0])).toEqual({ GRAPHQL_VALIDATION_FAILED: 1 });
    expect(outcomes[1]).toMatchObject({ type: undefined, outcome: 'refused' });
    expect(codesOf(outcomes[1])).toEqual({ GRAPHQL_PARSE_FAILED: 1 });
  });

  it('tells an operation whose context could not be made as refused, from its answer', async () => {
    const { post, outcomes } = setup();
    await (await post('query Fine { fine }', { 'x-refuse': 'yes' })).json();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ name: 'Fine', type: 'query', outcome: 'refused' });
    expect(codesOf(outcomes[0])).toEqual({ UNAUTHENTICATED: 1 });
  });

  it('tells a deferred operation once, after its last part, with the errors of every part', async () => {
    const { post, outcomes, hold, release } = setup();
    hold();
    const response = await post('query Deferred { fine ... @defer { slow } }', { accept: 'multipart/mixed' });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"fine"');
    expect(outcomes).toHaveLength(0); // the first part has gone, the deferred one has not
    release();
    while (!(await reader.read()).done);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ name: 'Deferred', type: 'query', outcome: 'error' });
    expect(codesOf(outcomes[0])).toEqual({ OPERATION_TIMEOUT: 1 });
  });

  it('tells a subscription once as subscribed, and the errors of its events to observers that ask', async () => {
    const { post, outcomes, eventErrors } = setup();
    const response = await post('subscription Ticks { ticks }', { accept: 'text/event-stream' });
    await response.text();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ name: 'Ticks', type: 'subscription', outcome: 'subscribed' });
    expect(outcomes[0]!.errorCodes.size).toBe(0);
    expect(eventErrors).toEqual([['FORBIDDEN']]);
  });

  it('adds no hooks when nothing observes', () => {
    expect(useOperationOutcome([])).toEqual({});
  });
});

describe('operation spans (createOperationTracing)', () => {
  it('end with the outcome: named by type and name, with the context\'s attributes, and error status with the codes', async () => {
    const { post, spans } = setup({ traced: true });
    await (await post('query Fine { fine }')).json();
    await (await post('query Missing { missing }')).json();
    await (await post('query Broken { noSuchField }')).json();
    expect(spans()).toEqual([
      {
        name: 'query Fine',
        attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Fine', 'gateway.request_id': 'request-0001', 'gateway.principal_hash': 'principal-hash', 'gateway.upstream_calls': 2 },
        status: 0,
      },
      {
        name: 'query Missing',
        attributes: expect.objectContaining({ 'graphql.error.codes': ['NOT_FOUND'] }),
        status: 2,
      },
      // Refused before its context: no principal, no upstream calls.
      { name: 'query Broken', attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Broken', 'graphql.error.codes': ['GRAPHQL_VALIDATION_FAILED'] }, status: 2 },
    ]);
  });

  it('end a deferred operation\'s span with its last part', async () => {
    const { post, spans, hold, release } = setup({ traced: true });
    hold();
    const reader = (await post('query Deferred { fine ... @defer { slow } }', { accept: 'multipart/mixed' })).body!.getReader();
    await reader.read();
    expect(spans()).toEqual([]);
    release();
    while (!(await reader.read()).done);
    expect(spans()).toEqual([{ name: 'query Deferred', attributes: expect.objectContaining({ 'graphql.error.codes': ['OPERATION_TIMEOUT'] }), status: 2 }]);
  });
});

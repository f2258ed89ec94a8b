/**
 * `@defer` and `@stream` over HTTP: the dashboard's account arrives first, its slow compliance decisions
 * after, in one response (multipart/mixed or server-sent events). The sandbox holds the decisions call
 * until the test has the first part in hand, so "the account did not wait for the decisions" is
 * observed whatever the machine's speed, not inferred from timings.
 */
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { gql, useGateway } from '../utils/gateway.ts';
import { admin, waitingUpstream } from '../utils/sandbox.ts';

const DEFERRED = `query Dashboard($id: ID!) {
  account(id: $id) {
    name
    ... @defer(label: "compliance") { complianceDecisions(first: 5) { edges { node { klarnaId typeRaw } } } }
  }
}`;

interface Part {
  payload: any;
}

/** Sends `query` accepting `accept`, and returns its parts; `onPart` runs as each arrives, before the next is read. */
async function incremental(url: string, accept: string, query: string, variables: Record<string, unknown>, onPart?: (index: number) => Promise<void>) {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  });
  const parts: Part[] = [];
  let buffer = '';
  const separator = accept.startsWith('multipart') ? /\r\n---/ : /\n\n/;
  for await (const chunk of response.body) {
    buffer += chunk.toString();
    let match: RegExpExecArray | null;
    while ((match = separator.exec(buffer))) {
      const block = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      const json = accept.startsWith('multipart') ? block.slice(block.indexOf('\r\n\r\n') + 4) : (/^data: (.*)$/m.exec(block)?.[1] ?? '');
      if (!json.trim().startsWith('{')) continue;
      parts.push({ payload: JSON.parse(json) });
      await onPart?.(parts.length - 1);
    }
  }
  return { status: response.statusCode, contentType: String(response.headers['content-type']), parts };
}

describe('@defer and @stream', () => {
  const context = useGateway({ sandbox: { accounts: 3 } });
  let decisionId: string;

  beforeAll(async () => {
    const decision = await admin<{ decision_id: string }>(context.sandbox, 'POST', '/compliance-decisions', {
      partner_account_id: DOCS_ACCOUNT_ID,
      decision_type: 'OTHER_RISK',
    });
    decisionId = decision.decision_id;
  });

  /** Holds the decisions call, sends the query, and releases the call once the first part is in. */
  async function withDecisionsHeld(accept: string) {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'listComplianceDecisions', hold: true, times: 1, gateTimeoutMs: 15_000 });
    let heldWhenFirstPartArrived = -1;
    const result = await incremental(context.gateway.graphqlUrl, accept, DEFERRED, { id: DOCS_ACCOUNT_ID }, async (index) => {
      if (index !== 0) return;
      heldWhenFirstPartArrived = await waitingUpstream(context.sandbox);
      await admin(context.sandbox, 'POST', '/faults/release');
    });
    // The account was sent while the decisions call was still held upstream.
    expect(heldWhenFirstPartArrived).toBe(1);
    return result;
  }

  function expectAccountFirstThenDecisions(parts: Part[]) {
    expect(parts).toHaveLength(2);
    const [first, second] = parts as [Part, Part];
    expect(first.payload).toEqual({ data: { account: { name: 'Merchant ABC US' } }, hasNext: true });
    expect(second.payload).toMatchObject({
      incremental: [{ path: ['account'], label: 'compliance', data: { complianceDecisions: { edges: expect.arrayContaining([{ node: { klarnaId: decisionId, typeRaw: 'OTHER_RISK' } }]) } } }],
      hasNext: false,
    });
  }

  it('sends the account before its slow compliance decisions over multipart/mixed', async () => {
    const result = await withDecisionsHeld('multipart/mixed');
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^multipart\/mixed/);
    expectAccountFirstThenDecisions(result.parts);
  });

  it('sends the account before its slow compliance decisions over server-sent events', async () => {
    const result = await withDecisionsHeld('text/event-stream');
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/event-stream/);
    expectAccountFirstThenDecisions(result.parts);
  });

  it('answers 406 to a client that accepts only a single JSON response, since the answer comes in parts', async () => {
    const response = await request(context.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: DEFERRED, variables: { id: DOCS_ACCOUNT_ID } }),
    });
    await response.body.dump();
    expect(response.statusCode).toBe(406);
  });

  it('streams list items after the first with @stream', async () => {
    const query = `query ($id: ID!) { account(id: $id) { name brands(first: 10) { edges @stream(initialCount: 1) { node { klarnaId } } } } }`;
    const result = await incremental(context.gateway.graphqlUrl, 'multipart/mixed', query, { id: DOCS_ACCOUNT_ID });
    expect(result.status).toBe(200);
    const [first, ...rest] = result.parts;
    expect(first?.payload).toMatchObject({ data: { account: { name: 'Merchant ABC US' } }, hasNext: true });
    const initial = first!.payload.data.account.brands.edges as unknown[];
    const streamed = rest.flatMap((part) => part.payload.incremental ?? []).flatMap((item: { items?: unknown[] }) => item.items ?? []);
    const all = await gql(context.gateway, 'query ($id: ID!) { account(id: $id) { brands(first: 10) { edges { node { klarnaId } } } } }', { id: DOCS_ACCOUNT_ID });
    const expected = all.body.data.account.brands.edges as unknown[];
    expect(expected.length).toBeGreaterThanOrEqual(2); // else nothing would be streamed after the first
    expect(initial).toEqual(expected.slice(0, 1));
    expect(streamed).toEqual(expected.slice(1));
    expect(result.parts.at(-1)?.payload.hasNext).toBe(false);
  });

  it('counts each deferred operation once in the metrics, when its last part has gone', async () => {
    const scrape = async () => (await (await request(`${context.gateway.url}/metrics`)).body.text()).match(/^graphql_operations_total\{operation="Dashboard",type="query",outcome="ok"\} (\d+)$/m)?.[1];
    const before = Number((await scrape()) ?? 0);
    await incremental(context.gateway.graphqlUrl, 'multipart/mixed', DEFERRED, { id: DOCS_ACCOUNT_ID });
    expect(Number(await scrape())).toBe(before + 1);
  });
});

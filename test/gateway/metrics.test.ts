/** The gateway's own Prometheus metrics, read by scraping `/metrics` after doing the things they count. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/plugins/persisted-operations.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { ingressUrl, productEvent, sendWebhook, subscribe, subscribed, WEBHOOK_ENV } from '../utils/events.ts';
import { gql, metricSample, scrapeMetrics, useGateway } from '../utils/gateway.ts';

const SUBSCRIPTION = `subscription ($accountId: ID!) { accountEvents(accountId: $accountId) { id type } }`;

describe('gateway metrics', () => {
  const context = useGateway({ sandbox: { accounts: 3 }, env: { ...WEBHOOK_ENV, WEBHOOK_MAX_BYTES: '2048' } });

  const scrape = () => scrapeMetrics(context.gateway);

  it('counts operations by name and outcome, and errors by code', async () => {
    const before = await scrape();
    await gql(context.gateway, `query DashboardName { account(id: "${DOCS_ACCOUNT_ID}") { name } }`);
    await gql(context.gateway, `query DashboardName { account(id: "${DOCS_ACCOUNT_ID}") { name } }`);
    // The name has earned its label (it ran clean and called Klarna): its failures count under it too.
    const missing = await gql(context.gateway, 'query DashboardName { account(id: "krn:partner:global:account:live:NOPE0000") { name } }');
    const code = missing.body.errors?.[0]?.extensions?.code as string;
    expect(code).toBeTruthy();
    await gql(context.gateway, 'query DashboardName { account(id: "x") { noSuchField } }');
    const after = await scrape();

    const ok = 'graphql_operations_total{operation="DashboardName",type="query",outcome="ok"}';
    expect(metricSample(after, ok) - metricSample(before, ok)).toBe(2);
    const failed = 'graphql_operations_total{operation="DashboardName",type="query",outcome="error"}';
    expect(metricSample(after, failed) - metricSample(before, failed)).toBe(1);
    const refused = 'graphql_operations_total{operation="DashboardName",type="query",outcome="refused"}';
    expect(metricSample(after, refused) - metricSample(before, refused)).toBe(1);
    expect(metricSample(after, `graphql_errors_total{code="${code}"}`) - metricSample(before, `graphql_errors_total{code="${code}"}`)).toBe(1);
    const validation = 'graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}';
    expect(metricSample(after, validation) - metricSample(before, validation)).toBe(1);
  });

  it('labels an operation without a name "anonymous", and gives no label to names any client can make up cheaply ("other")', async () => {
    const before = await scrape();
    await gql(context.gateway, '{ __typename }');
    // 201 names that cost Klarna nothing, names refused while parsing, names whose credentials Klarna refused.
    for (let index = 0; index < 201; index += 1) await gql(context.gateway, `query Name${index} { __typename }`);
    for (let index = 0; index < 5; index += 1) await gql(context.gateway, `query Refused${index} { noSuchField }`);
    for (let index = 0; index < 5; index += 1) {
      const refused = await gql(context.gateway, `query Junk${index} { account(id: "${DOCS_ACCOUNT_ID}") { name } }`, {}, { authorization: `Basic junk-${index}` });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    // A real operation still earns its own label after all that.
    await gql(context.gateway, `query RealOperation { account(id: "${DOCS_ACCOUNT_ID}") { name } }`);
    const after = await scrape();
    const delta = (series: string) => metricSample(after, series) - metricSample(before, series);
    expect(delta('graphql_operations_total{operation="anonymous",type="query",outcome="ok"}')).toBe(1);
    expect(delta('graphql_operations_total{operation="other",type="query",outcome="ok"}')).toBe(201);
    expect(delta('graphql_operations_total{operation="other",type="query",outcome="refused"}')).toBe(5);
    expect(delta('graphql_operations_total{operation="other",type="query",outcome="error"}')).toBe(5);
    expect(delta('graphql_operations_total{operation="RealOperation",type="query",outcome="ok"}')).toBe(1);
    expect(after).not.toMatch(/operation="(Name|Refused|Junk)\d+"/);
  });

  it('counts open WebSocket connections, webhooks by type and verdict, and the lag of delivering events to a subscriber', async () => {
    const before = await scrape();
    expect(metricSample(before, 'graphql_ws_connections')).toBe(0);
    const subscriber = subscribe(context.gateway, SUBSCRIPTION, { accountId: DOCS_ACCOUNT_ID });
    await subscriber.connected;
    await subscribed(context.gateway, 1);
    expect(metricSample(await scrape(), 'graphql_ws_connections')).toBe(1);

    const url = ingressUrl(context.gateway);
    const event = productEvent();
    const type = event.metadata.event_type;
    expect((await sendWebhook(url, event)).status).toBe(202);
    expect((await sendWebhook(url, event)).status).toBe(200); // Klarna's retry: a duplicate
    expect((await sendWebhook(url, event, { key: 'not-the-secret' })).status).toBe(401);
    expect((await sendWebhook(url, '{"metadata": ')).status).toBe(400);
    expect((await sendWebhook(url, { ...event, payload: { ...event.payload, padding: 'x'.repeat(4_096) } })).status).toBe(413);
    await subscriber.waitFor(1);

    const after = await scrape();
    const delta = (series: string) => metricSample(after, series) - metricSample(before, series);
    expect(delta(`webhook_events_total{type="${type}",verdict="accepted"}`)).toBe(1);
    expect(delta(`webhook_events_total{type="${type}",verdict="duplicate"}`)).toBe(1);
    expect(delta('webhook_events_total{type="unknown",verdict="bad_signature"}')).toBe(1);
    expect(delta('webhook_events_total{type="unknown",verdict="malformed"}')).toBe(1);
    expect(delta('webhook_events_total{type="unknown",verdict="too_large"}')).toBe(1);
    expect(delta('event_delivery_lag_seconds_count')).toBe(1);
    // Delivered in process within a second of the append (the +Inf bucket would hold any lag).
    expect(delta('event_delivery_lag_seconds_bucket{le="1"}')).toBe(1);
    const subscriptions = 'graphql_operations_total{operation="anonymous",type="subscription",outcome="subscribed"}';
    expect(delta(subscriptions)).toBe(1);

    await subscriber.dispose();
    await expect.poll(async () => metricSample(await scrape(), 'graphql_ws_connections')).toBe(0);
  });
});

describe('gateway metrics with a persisted-operations manifest', () => {
  const LISTED = 'query ListedName($id: ID!) { account(id: $id) { name } }';
  const directory = mkdtempSync(join(tmpdir(), 'manifest-'));
  writeFileSync(join(directory, 'operations.json'), JSON.stringify({ [sha256Hex(LISTED)]: LISTED }));
  const context = useGateway({ sandbox: { accounts: 3 }, env: { PERSISTED_OPERATIONS_MANIFEST: join(directory, 'operations.json') } });

  it("labels operations by the manifest's names only, however well another operation runs", async () => {
    const before = await scrapeMetrics(context.gateway);
    await gql(context.gateway, LISTED, { id: DOCS_ACCOUNT_ID });
    await gql(context.gateway, `query Unlisted { account(id: "${DOCS_ACCOUNT_ID}") { name } }`);
    const after = await scrapeMetrics(context.gateway);
    const delta = (series: string) => metricSample(after, series) - metricSample(before, series);
    expect(delta('graphql_operations_total{operation="ListedName",type="query",outcome="ok"}')).toBe(1);
    expect(delta('graphql_operations_total{operation="other",type="query",outcome="ok"}')).toBe(1);
    expect(after).not.toContain('operation="Unlisted"');
  });
});

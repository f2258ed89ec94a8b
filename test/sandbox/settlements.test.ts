import { existsSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionCursor } from '../../src/sandbox/handlers/settlements.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { DOCS_SETTLEMENT_CSV } from '../../src/sandbox/seed/docs-settlement-csv.ts';
import { DOCS_CSV_SETTLEMENT_ID, DOCS_SETTLEMENT_ID } from '../../src/sandbox/seed/docs-settlements.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/seed/index.ts';
import {
  HUGE_SETTLEMENT_ID,
  HUGE_SETTLEMENT_TRANSACTIONS,
  LARGE_SETTLEMENT_ID,
  LARGE_SETTLEMENT_TRANSACTIONS,
  OTHER_PRINCIPAL_SETTLEMENT_ID,
} from '../../src/sandbox/seed/portfolio-settlements.ts';
import { SUMMARY_HEADING, TRANSACTION_HEADING, transactionRow } from '../../src/sandbox/settlement-csv.ts';
import { signWebhookBody } from '../../src/sandbox/webhooks.ts';
import { admin, call, pmHeaders, seg, useSandbox } from '../utils/sandbox.ts';
import { startWebhookReceiver } from '../utils/webhook-receiver.ts';

const DOCS_PAGE = '/work/shared/api-docs/partner-management-v2.txt';

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
// The getter is read when the sandbox starts, after the receiver above is listening.
const env = useSandbox({
  get webhooks() {
    return [{ url: receiver.url, signingKeyId: 'k1', signingKey: 'secret' }];
  },
});

const settlementPath = (id: string, rest = '') => `/v2/settlements/${seg(id)}${rest}`;

describe('settlements: the docs samples', () => {
  it('answers the sample settlement with the sample values, its totals summing to the settled amount', async () => {
    const { status, body } = await call(env.sandbox, 'GET', settlementPath(DOCS_SETTLEMENT_ID));
    expect(status).toBe(200);
    const { totals, ...fields } = body;
    expect(fields).toEqual({
      settlement_id: 'krn:partner:eu1:settlement:live:113574395',
      payment_acquiring_account_id: 'krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b',
      payment_acquiring_account_reference: 'M123786123412',
      created_at: '2024-10-13T00:00:00Z',
      period_from: '2024-10-05T00:00:00Z',
      period_to: '2024-10-12T00:00:00Z',
      settlement_amount: 200,
      currency: 'USD',
    });
    const settled = ['capture_amount', 'refund_amount', 'capture_fixed_fee_amount', 'capture_variable_fee_amount', 'dispute_fee_amount', 'fee_correction_amount', 'chargeback_amount', 'correction_chargeback_amount', 'tax_amount', 'holdback_amount', 'release_amount'];
    expect(settled.reduce((sum, column) => sum + totals[column], 0)).toBe(200);
  });

  it('answers the sample payout status', async () => {
    const { status, body } = await call(env.sandbox, 'GET', settlementPath(DOCS_SETTLEMENT_ID, '/payouts/status'));
    expect(status).toBe(200);
    expect(body).toEqual({
      payout_id: 'krn:partner:eu1:settlement:live:123456789:payouts:1',
      paid_out_at: '2024-01-01T12:00:00Z',
      payout_amount: 200,
      currency: 'USD',
      status: 'PROCESSED',
      payout_bank_account_reference: 'string',
      payment_reference: '113574395',
    });
  });

  it('serves the CSV sample as the sample settlement report, byte for byte', async () => {
    const { status, headers, text } = await call(env.sandbox, 'GET', settlementPath(DOCS_SETTLEMENT_ID, '/csv'));
    expect(status).toBe(200);
    expect(String(headers['content-type'])).toMatch(/^text\/csv/);
    expect(Buffer.from(text).equals(Buffer.from(DOCS_SETTLEMENT_CSV))).toBe(true);
    expect(text.split('\n')).toHaveLength(37);
  });

  it.skipIf(!existsSync(DOCS_PAGE))('keeps the CSV sample exactly as the reference page prints it', () => {
    const page = readFileSync(DOCS_PAGE, 'utf8').split('\n');
    const start = page.indexOf('text/csv') + 1;
    const end = page.indexOf('', start);
    expect(start).toBeGreaterThan(0);
    expect(DOCS_SETTLEMENT_CSV).toBe(`${page.slice(start, end).join('\n')}\n`);
  });

  it('lists the CSV rows as the sample settlement transactions, each rendering back to its CSV line', async () => {
    const { status, body } = await call(env.sandbox, 'GET', settlementPath(DOCS_SETTLEMENT_ID, '/transactions?size=100'));
    expect(status).toBe(200);
    const lines = DOCS_SETTLEMENT_CSV.trimEnd().split('\n').slice(3);
    expect(body.transactions).toHaveLength(33);
    expect(body.pagination).toMatchObject({ count: 33, total: 33, first_item: null, last_item: null });
    expect(body.transactions.map(transactionRow)).toEqual(lines);
    expect(body.transactions[1]).toMatchObject({ type: 'FEE', detailed_type: 'CAPTURE_FIXED_FEE', transaction_amount: -100, tax_amount: -19, tax_rate: 1900, merchant_category_code: '5912' });
    expect(body.transactions[1]).not.toHaveProperty('applied_cross_border_fee');
  });

  it('answers the settlement the CSV sample summary row names with that row', async () => {
    const { body } = await call(env.sandbox, 'GET', settlementPath(DOCS_CSV_SETTLEMENT_ID));
    expect(body).toMatchObject({ settlement_amount: 78743, currency: 'EUR', payment_acquiring_account_reference: 'M123786123412', period_to: '2024-10-12T22:00:00Z' });
    expect(body.totals).toMatchObject({ capture_amount: 174500, chargeback_amount: -76050, tax_amount: -423 });
    const payout = await call(env.sandbox, 'GET', settlementPath(DOCS_CSV_SETTLEMENT_ID, '/payouts/status'));
    expect(payout.body).toMatchObject({ payout_amount: 78743, payment_reference: '15328742', payout_bank_account_reference: 'PSP US Bank Account' });
  });
});

describe('settlements: paging transactions', () => {
  const path = (query: string) => settlementPath(LARGE_SETTLEMENT_ID, `/transactions?${query}`);

  it('pages forward and back through 40,000 transactions with opaque cursors', async () => {
    const first = await call(env.sandbox, 'GET', path('size=100'));
    expect(first.body.pagination).toMatchObject({ count: 100, total: LARGE_SETTLEMENT_TRANSACTIONS, first_item: null });
    const pages = [first.body];
    for (let n = 0; n < 3; n += 1) {
      const next = pages.at(-1).pagination.links.next.href as string;
      const page = await call(env.sandbox, 'GET', next);
      expect(page.status).toBe(200);
      pages.push(page.body);
    }
    const forward = pages.flatMap((page) => page.transactions);
    expect(forward).toHaveLength(400);
    expect(new Set(forward.map((t: { payment_transaction_id: string; detailed_type: string; created_at: string }) => `${t.payment_transaction_id}/${t.detailed_type}/${t.created_at}`)).size).toBe(400);

    const back = await call(env.sandbox, 'GET', path(`size=100&ending_before=${encodeURIComponent(pages[3].pagination.first_item)}`));
    expect(back.body.transactions).toEqual(pages[2].transactions);
    expect(back.body.pagination.first_item).toBe(pages[2].pagination.first_item);
    const again = await call(env.sandbox, 'GET', path(`size=100&starting_after=${encodeURIComponent(back.body.pagination.last_item)}`));
    expect(again.body.transactions).toEqual(pages[3].transactions);
  });

  it('answers the last page with no further cursor', async () => {
    const cursor = transactionCursor(LARGE_SETTLEMENT_ID, LARGE_SETTLEMENT_TRANSACTIONS - 51);
    const { body } = await call(env.sandbox, 'GET', path(`size=100&starting_after=${cursor}`));
    expect(body.pagination).toMatchObject({ count: 50, last_item: null });
    expect(body.pagination.links.next).toBeUndefined();
  });

  it('rejects both cursors, a page size over 100 and a cursor of another settlement with 400', async () => {
    const cursor = transactionCursor(LARGE_SETTLEMENT_ID, 10);
    const both = await call(env.sandbox, 'GET', path(`starting_after=${cursor}&ending_before=${cursor}`));
    expect(both.status).toBe(400);
    expect(both.body.error_code).toBe('VALIDATION_ERROR');
    expect((await call(env.sandbox, 'GET', path('size=101'))).status).toBe(400);
    const foreign = await call(env.sandbox, 'GET', path(`starting_after=${transactionCursor(HUGE_SETTLEMENT_ID, 10)}`));
    expect(foreign.status).toBe(400);
    expect(foreign.body.validation_errors[0].parameter).toBe('query.starting_after');
  });
});

describe('settlements: the 100,000-line report', () => {
  it('streams the CSV report with its three heading lines and 100,000 transaction lines', { timeout: 180_000 }, async () => {
    const settlement = (await call(env.sandbox, 'GET', settlementPath(HUGE_SETTLEMENT_ID))).body;
    const response = await request(`${env.sandbox.url}${settlementPath(HUGE_SETTLEMENT_ID, '/csv')}`, { headers: pmHeaders() });
    expect(response.statusCode).toBe(200);
    let lines = 0;
    let chunks = 0;
    let rest = '';
    let amounts = 0;
    const heading: string[] = [];
    for await (const chunk of response.body) {
      chunks += 1;
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines += 1;
        if (lines <= 3) heading.push(line);
        else amounts += Number(line.split(',')[3]);
      }
    }
    expect(rest).toBe('');
    expect(lines).toBe(3 + HUGE_SETTLEMENT_TRANSACTIONS);
    expect(chunks).toBeGreaterThan(1);
    expect(heading[0]).toBe(SUMMARY_HEADING);
    expect(heading[1]!.split(',')[0]).toBe(HUGE_SETTLEMENT_ID);
    expect(Number(heading[1]!.split(',')[6])).toBe(settlement.settlement_amount);
    expect(heading[2]).toBe(TRANSACTION_HEADING);
    // Fee lines carry their tax apart: the settled amount is the lines' sum plus the tax total.
    expect(amounts + settlement.totals.tax_amount).toBe(settlement.settlement_amount);
  });
});

describe('settlements: ownership', () => {
  it('answers 404 to another partner for every settlement operation', async () => {
    for (const rest of ['', '/csv', '/transactions', '/payouts/status']) {
      const foreign = await call(env.sandbox, 'GET', settlementPath(DOCS_SETTLEMENT_ID, rest), { apiKey: DEMO_CREDENTIALS.otherApiKey });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error_code).toBe('RESOURCE_NOT_FOUND');
    }
    expect((await call(env.sandbox, 'GET', settlementPath(OTHER_PRINCIPAL_SETTLEMENT_ID))).status).toBe(404);
    expect((await call(env.sandbox, 'GET', settlementPath(OTHER_PRINCIPAL_SETTLEMENT_ID), { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(200);
    expect((await call(env.sandbox, 'GET', settlementPath('krn:partner:eu1:settlement:live:1'))).status).toBe(404);
  });
});

describe('settlements: admin route', () => {
  it('creates a settlement and announces it with a signed settlement.report.created webhook', async () => {
    const settlement = await admin(env.sandbox, 'POST', '/settlements', { partner_account_id: DOCS_ACCOUNT_ID, transactions: 30 });
    expect(settlement).toMatchObject({ payment_acquiring_account_reference: 'M123786123412', currency: 'USD' });
    await receiver.waitFor(1);
    const delivery = receiver.received.find((d) => d.body.metadata.event_type === 'settlement.report.created')!;
    expect(delivery.headers['klarna-signing-key-id']).toBe('k1');
    expect(delivery.headers['klarna-signature']).toBe(signWebhookBody(delivery.rawBody, 'secret'));
    const { metadata, payload } = delivery.body;
    expect(metadata).toMatchObject({ subject_account_id: DOCS_ACCOUNT_ID, recipient_account_id: DEMO_CREDENTIALS.principalId });
    expect(payload).toMatchObject({ settlement_id: settlement.settlement_id, currency: 'USD', payment_acquiring_account_id: settlement.payment_acquiring_account_id });

    const csv = await call(env.sandbox, 'GET', payload.links.csv.href);
    expect(csv.text.trimEnd().split('\n')).toHaveLength(33);
    const read = await call(env.sandbox, 'GET', payload.links.settlement.href);
    expect(read.body).toEqual(settlement);
    const transactions = await call(env.sandbox, 'GET', payload.links.transactions.href);
    expect(transactions.body.pagination.total).toBe(30);
    const payout = await call(env.sandbox, 'GET', settlementPath(settlement.settlement_id, '/payouts/status'));
    expect(payout.body).toMatchObject({ status: 'PENDING', paid_out_at: null });
  });
});

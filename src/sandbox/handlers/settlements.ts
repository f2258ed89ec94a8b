/**
 * Settlements: the settlement, its CSV report (streamed), its transactions (paged) and its payout status.
 * A settlement belongs to the partner whose acquiring account it settles; anyone else gets 404.
 *
 * A transaction has no identifier, so its cursor is base64url of `<settlement_id>#<index>`: opaque,
 * stable while the settlement exists, and decodable, so finding a page does not encode every cursor.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { notFound, validationError } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import { MAX_PAGE_SIZE, paginate } from '../paging.ts';
import { findAcquiringAccount } from '../seed/acquiring-accounts.ts';
import { hash32 } from '../seed/hash.ts';
import { DEMO_CREDENTIALS } from '../seed/index.ts';
import { settlementWeek } from '../seed/portfolio-settlements.ts';
import { settledPaymentAccounts } from '../seed/settled-accounts.ts';
import { generatedSettlement } from '../seed/settlement-generator.ts';
import type { AdminHandler } from '../server.ts';
import { settlementCsv } from '../settlement-csv.ts';
import type { AccountRecord, SandboxState, SettlementRecord } from '../state.ts';
import { pathParam, type SandboxServices } from './common.ts';

export const transactionCursor = (settlementId: string, index: number) => Buffer.from(`${settlementId}#${index}`).toString('base64url');

/** The index a cursor of this settlement names, or a 400 naming the parameter. */
function cursorIndex(settlementId: string, cursor: string, total: number, parameter: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(.*)#(\d{1,9})$/.exec(decoded);
  const index = match ? Number(match[2]) : -1;
  if (!match || match[1] !== settlementId || index >= total || transactionCursor(settlementId, index) !== cursor) {
    throw validationError([{ parameter: `query.${parameter}`, reason: 'does not name an item of this list' }]);
  }
  return index;
}

/**
 * The offset of `Range: bytes=<offset>-` when it is to be honoured: an open-ended range (the only kind
 * the sandbox serves; others get the whole report, as HTTP allows), and `If-Range`, when sent, naming
 * this text of the report (else the whole report, the client's copy being another).
 */
function rangeStart(headers: IncomingHttpHeaders, etag: string): number | undefined {
  const match = /^bytes=(\d{1,15})-$/.exec(headers.range?.trim() ?? '');
  if (!match) return undefined;
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  return Number(match[1]);
}

function ownedSettlement(context: HandlerContext): SettlementRecord {
  const id = pathParam(context, 'settlement_id');
  const record = context.state.settlements.get(id);
  if (!record || record.ownerId !== context.principal.id) throw notFound(`Settlement ${id}`);
  return record;
}

export const settlementHandlers: HandlerMap = {
  getSettlement: (context) => json(200, ownedSettlement(context).settlement),

  getPayoutStatus: (context) => json(200, ownedSettlement(context).payout),

  getSettlementCsv: async (context) => {
    const record = ownedSettlement(context);
    const number = record.settlement.settlement_id.slice(record.settlement.settlement_id.lastIndexOf(':') + 1);
    const csv = settlementCsv(record);
    const headers = { 'content-disposition': `attachment; filename="settlement-${number}.csv"`, 'accept-ranges': 'bytes', etag: csv.etag };
    const offset = rangeStart(context.headers, csv.etag);
    if (offset === undefined) return { status: 200, stream: csv.from(0), contentType: 'text/csv; charset=utf-8', headers };
    const length = await csv.length();
    if (offset >= length) return { status: 416, body: undefined, headers: { ...headers, 'content-range': `bytes */${length}` } };
    return {
      status: 206,
      stream: csv.from(offset),
      contentType: 'text/csv; charset=utf-8',
      headers: { ...headers, 'content-range': `bytes ${offset}-${length - 1}/${length}` },
    };
  },

  listSettlementTransactions: (context) => {
    const record = ownedSettlement(context);
    const id = record.settlement.settlement_id;
    const { query } = context.request;
    const transactions = record.transactions();
    const after = typeof query.starting_after === 'string' ? query.starting_after : undefined;
    const before = typeof query.ending_before === 'string' ? query.ending_before : undefined;
    // `paginate` finds a cursor by comparing it with every item's from the start; with the index known,
    // items that cannot be on the requested page get a placeholder that matches no cursor, so only the
    // page's own cursors are encoded (deep pages of a 100,000-line settlement stay cheap).
    let firstRelevant = 0;
    if (after === undefined || before === undefined) {
      if (after !== undefined) firstRelevant = cursorIndex(id, after, transactions.length, 'starting_after');
      if (before !== undefined) firstRelevant = cursorIndex(id, before, transactions.length, 'ending_before') - MAX_PAGE_SIZE - 1;
    }
    const cursorOf = (_transaction: unknown, index: number) => (index < firstRelevant ? '' : transactionCursor(id, index));
    const page = paginate(transactions, query, cursorOf, context.path);
    return json(200, { transactions: page.items, pagination: page.pagination });
  },
};

const createSettlementSchema = z.object({
  /** The merchant whose payment accounts are settled; default: the principal's first account that has one. */
  partner_account_id: z.string().min(1).optional(),
  transactions: z.number().int().min(0).max(1_000_000).default(60),
  /** Default: the currency of the account's acquiring account. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  /** The acquirer (owner); default: the account's owner, or the demo principal. */
  principal_id: z.string().min(1).optional(),
});
type CreateSettlement = z.infer<typeof createSettlementSchema>;

function settledAccount(state: SandboxState, input: CreateSettlement): AccountRecord {
  const ownerId = input.principal_id ?? DEMO_CREDENTIALS.principalId;
  if (input.partner_account_id) {
    const record = state.accounts.get(input.partner_account_id);
    if (!record) throw new Error(`No partner account ${input.partner_account_id}.`);
    if (input.principal_id && record.ownerId !== input.principal_id) throw new Error(`${input.partner_account_id} is not an account of ${input.principal_id}.`);
    return record;
  }
  for (const record of state.accounts.values()) {
    if (record.ownerId !== ownerId) continue;
    if ([...record.products.values()].some((product) => product.payment_accounts?.length)) return record;
  }
  throw new Error(`${ownerId} has no account with a payment account.`);
}

function nextSettlementId(state: SandboxState): string {
  for (let number = 700_000_001 + state.settlements.size; ; number += 1) {
    const id = `krn:partner:eu1:settlement:test:${number}`;
    if (!state.settlements.has(id)) return id;
  }
}

/**
 * `POST /settlements`: Klarna settles an account's acquiring account for the last week, with generated
 * transactions, and announces the reports with `settlement.report.created`. Answers the settlement.
 */
export function settlementAdminRoutes(services: SandboxServices): Record<string, AdminHandler> {
  return {
    'POST /settlements': ({ body }) => {
      const input = createSettlementSchema.parse(body ?? {});
      const { state, clock } = services;
      const record = settledAccount(state, input);
      const acquiringId = [...record.products.values()].flatMap((product) => product.payment_accounts ?? [])[0]?.payment_acquiring_account_id;
      if (!acquiringId) throw new Error(`${record.account.partner_account_id} has no payment account.`);
      const known = findAcquiringAccount(record.ownerId, acquiringId);
      const currency = input.currency ?? known?.currency ?? 'EUR';
      const acquiring = known ?? { id: acquiringId, reference: record.account.partner_account_reference, currency, bankAccountReference: `PSP ${currency} Bank Account` };
      const settlementId = nextSettlementId(state);
      const settlement = generatedSettlement({
        settlementId,
        ownerId: record.ownerId,
        acquiring,
        currency,
        paymentAccounts: settledPaymentAccounts(record, currency, state.paymentProfiles),
        transactionCount: input.transactions,
        seed: hash32(settlementId),
        ...settlementWeek(clock.now()),
        createdAtMs: clock.now(),
        payoutStatus: 'PENDING',
      });
      state.settlements.set(settlementId, settlement);
      const href = `/v2/settlements/${encodeURIComponent(settlementId)}`;
      void services.webhooks.emit({
        eventType: 'settlement.report.created',
        subjectAccountId: record.account.partner_account_id,
        recipientAccountId: record.ownerId,
        payload: {
          settlement_id: settlementId,
          payment_acquiring_account_id: acquiring.id,
          currency,
          created_at: settlement.settlement.created_at,
          links: {
            settlement: { href, method: 'GET', rel: 'settlement' },
            transactions: { href: `${href}/transactions`, method: 'GET', rel: 'transactions' },
            csv: { href: `${href}/csv`, method: 'GET', rel: 'csv' },
          },
        },
      });
      return settlement.settlement;
    },
  };
}

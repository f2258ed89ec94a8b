/**
 * How a settlement is read: `GET /v2/settlements/{id}`, with every call its selection needs (payout,
 * transaction pages, report windows) started in the same tick, so the whole `Settlement` query costs
 * one parallel round trip. A bad id is refused first, before anything is read. Bad paging under it
 * (`transactions(first: 0)`, `report { rows(after: "x") }`) is the connection's own error, as under an
 * account: the plan leaves that occurrence out and the nullable connection answers BAD_USER_INPUT at
 * its own path (its resolver parses the window before it reads), never nulling the settlement.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import type { PageRequest } from '../datasources/partner-management.ts';
import type { ReportWindow } from '../datasources/settlement-report.ts';
import { ID_RULES, assertId } from './ids.ts';
import { lookahead, type SelectedField } from './plan/lookahead.ts';
import { prime } from './plan/prime.ts';
import { SelectionPlans } from './plan/selection-plans.ts';
import { plansOfValidWindows } from './plan/window.ts';
import { reportWindowsOf } from './settlement-report-plan.ts';
import { planTransactionPage } from './settlement-transactions.ts';

/** The calls started with a settlement for a selection. */
export interface SettlementReadPlan {
  payout: boolean;
  /** One per `transactions` occurrence whose window can hold anything. */
  transactionPages: PageRequest[];
  /** The report windows `report` reads (rows windows, or the summary alone); none without `report`. */
  reportWindows: ReportWindow[];
}

/** The transaction page plans of the `transactions` occurrences whose window is valid (the others refuse themselves). */
const validTransactionPlans = (transactions: SelectedField | undefined) => plansOfValidWindows(transactions, planTransactionPage);

/**
 * The calls reading a settlement for `selected` starts together; a connection with bad paging adds
 * none (it refuses itself). `loadSettlement` makes them; the call planner counts them.
 */
export function planSettlementRead(selected: Map<string, SelectedField>): SettlementReadPlan {
  const report = selected.get('report');
  // The summary window alone is read only for a selected summary (rows all refused: no download).
  const reportWindows = report ? reportWindowsOf(report).filter((window) => window.kind !== 'summary' || report.children().has('summary')) : [];
  return {
    payout: selected.has('payout'),
    transactionPages: validTransactionPlans(selected.get('transactions')).filter((plan) => !plan.empty).map((plan) => plan.request),
    reportWindows,
  };
}

/** Settlement read plans: once per document and field, or once per request and field when the selection reads variables. */
const READ_PLANS = new SelectionPlans((info) => planSettlementRead(lookahead(info)));

export function loadSettlement(context: SchemaContext, id: string, info: GraphQLResolveInfo) {
  assertId(ID_RULES.settlement, id, 'id');
  const plan = READ_PLANS.of(info, context);
  const settlement = context.loaders.settlement.load(id);
  if (plan.payout) prime(() => context.loaders.payoutStatus.load(id));
  for (const page of plan.transactionPages) prime(() => context.loaders.settlementTransactionPage.load({ settlementId: id, page }));
  for (const window of plan.reportWindows) prime(() => context.loaders.settlementReport.load({ settlementId: id, window }));
  return settlement;
}

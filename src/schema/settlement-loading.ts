/**
 * How a settlement is read: `GET /v2/settlements/{id}`, with every call its selection needs (payout,
 * transaction pages, report windows) started in the same tick, so the whole `Settlement` query costs
 * one parallel round trip. Bad input is refused first, before anything is read.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import type { PageRequest } from '../datasources/partner-management.ts';
import type { ReportWindow } from '../datasources/settlement-report.ts';
import { ID_RULES, assertId } from './ids.ts';
import { lookahead, type SelectedField } from './plan/lookahead.ts';
import { prime } from './plan/prime.ts';
import { windowArguments } from './plan/window.ts';
import { reportWindow, reportWindowsOf } from './settlement-report-plan.ts';
import { planTransactionPage } from './settlement-transactions.ts';

/** The calls started with a settlement for a selection. */
export interface SettlementReadPlan {
  payout: boolean;
  /** One per `transactions` occurrence whose window can hold anything. */
  transactionPages: PageRequest[];
  /** The report windows `report` reads (rows windows, or the summary alone); none without `report`. */
  reportWindows: ReportWindow[];
}

/**
 * The calls reading a settlement for `selected` starts together, or BAD_USER_INPUT for bad paging
 * under it (then nothing is read). `loadSettlement` makes them; the call planner counts them.
 */
export function planSettlementRead(selected: Map<string, SelectedField>): SettlementReadPlan {
  const transactionPlans = windowArguments(selected.get('transactions')).map((args) => planTransactionPage(args));
  for (const args of windowArguments(selected.get('report')?.children().get('rows'))) reportWindow(args);
  const report = selected.get('report');
  return {
    payout: selected.has('payout'),
    transactionPages: transactionPlans.filter((plan) => !plan.empty).map((plan) => plan.request),
    reportWindows: report ? reportWindowsOf(report) : [],
  };
}

export function loadSettlement(context: SchemaContext, id: string, info: GraphQLResolveInfo) {
  assertId(ID_RULES.settlement, id, 'id');
  const plan = planSettlementRead(lookahead(info));
  const settlement = context.loaders.settlement.load(id);
  if (plan.payout) prime(() => context.loaders.payoutStatus.load(id));
  for (const page of plan.transactionPages) prime(() => context.loaders.settlementTransactionPage.load({ settlementId: id, page }));
  for (const window of plan.reportWindows) prime(() => context.loaders.settlementReport.load({ settlementId: id, window }));
  return settlement;
}

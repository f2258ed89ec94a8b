/**
 * Payment profiles and price plans: Klarna-managed reference data, the same for every caller.
 *
 * `getPricePlan` answers one version of a plan with its rates for the required `merchant_category_code`:
 * `version` selects a version explicitly (and wins over `date_time`); otherwise `date_time` (default:
 * sandbox now) selects the version in force, the one whose `effective_from` ≤ date_time < the next
 * version's. No such version → 404. The other filters narrow `rates`, which are paged (a rate has no id:
 * its cursor is its filter dimensions, base64url-encoded).
 */
import { notFound } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import { paginate, type Pagination } from '../paging.ts';
import { PRICE_PLAN_ALIASES } from '../seed/reference-data.ts';
import { ratesFor } from '../seed/rate-card.ts';
import type { Pm } from '../state.ts';
import { pathParam } from './common.ts';

type Version = Pm['PricePlanVersion'];
type Rate = Pm['PricePlanRate'];

const FILTER_PARAMETERS = [
  'merchant_category_code',
  'date_time',
  'version',
  'currency',
  'partner_country',
  'customer_country',
  'pricing_payment_category',
  'payment_program_id',
] as const;

const rateCursor = (rate: Rate) =>
  Buffer.from(
    [rate.currency, rate.partner_country, rate.customer_country, rate.pricing_payment_category, rate.payment_program_id].join('|'),
  ).toString('base64url');

function selectVersion(versions: readonly Version[], query: HandlerContext['request']['query'], nowIso: string): Version | undefined {
  if (typeof query.version === 'number') return versions.find((version) => version.version === query.version);
  const at = Date.parse(typeof query.date_time === 'string' ? query.date_time : nowIso);
  const ordered = [...versions].sort((a, b) => Date.parse(a.effective_from ?? '') - Date.parse(b.effective_from ?? ''));
  let selected: Version | undefined;
  for (const version of ordered) if (Date.parse(version.effective_from ?? '') <= at) selected = version;
  return selected;
}

/** A filter on one rate dimension; country and currency codes compare case-insensitively. */
function matches(rate: Rate, query: HandlerContext['request']['query']): boolean {
  const same = (value: unknown, expected: string | undefined) =>
    typeof value !== 'string' || value.toUpperCase() === (expected ?? '').toUpperCase();
  return (
    same(query.currency, rate.currency) &&
    same(query.partner_country, rate.partner_country) &&
    same(query.customer_country, rate.customer_country) &&
    same(query.pricing_payment_category, rate.pricing_payment_category) &&
    (typeof query.payment_program_id !== 'string' || query.payment_program_id === rate.payment_program_id)
  );
}

/** `paginate` links carry only size and cursor; a rates page link must also repeat the MCC and the filters. */
function keepFiltersInLinks(pagination: Pagination, query: HandlerContext['request']['query']): void {
  const filters = new URLSearchParams();
  for (const name of FILTER_PARAMETERS) {
    const value = query[name];
    if (typeof value === 'string' || typeof value === 'number') filters.set(name, String(value));
  }
  const suffix = filters.size ? `&${filters.toString()}` : '';
  for (const link of [pagination.links?.next, pagination.links?.prev]) if (link) link.href += suffix;
}

export const referenceDataHandlers: HandlerMap = {
  listPaymentProfiles: (context) => json(200, context.state.paymentProfiles),

  listPricePlans: (context) => json(200, [...context.state.pricePlans.values()]),

  getPricePlan: (context) => {
    const requested = pathParam(context, 'price_plan_id');
    const id = PRICE_PLAN_ALIASES[requested] ?? requested;
    const plan = context.state.pricePlans.get(id);
    if (!plan) throw notFound(`Price plan ${requested}`);
    const { query } = context.request;
    const version = selectVersion(plan.versions ?? [], query, context.clock.iso());
    if (!version) throw notFound(`A version of price plan ${requested} for the requested date or version`);
    const rates = ratesFor(id, version.version ?? 1, String(query.merchant_category_code)).filter((rate) => matches(rate, query));
    const page = paginate(rates, query, rateCursor, context.path);
    keepFiltersInLinks(page.pagination, query);
    return json(200, {
      price_plan_id: plan.price_plan_id,
      ...(plan.name !== undefined ? { name: plan.name } : {}),
      ...(plan.description !== undefined ? { description: plan.description } : {}),
      rates: page.items,
      version: version.version,
      effective_from: version.effective_from,
      ...(version.comment !== undefined ? { comment: version.comment } : {}),
      pagination: page.pagination,
    } satisfies Pm['PricePlan']);
  },
};

import { describe, expect, it } from 'vitest';
import { PAYMENT_PROGRAM_IDS, PRICE_PLAN_IDS } from '../../src/sandbox/seed/reference-data.ts';
import { call, seg, useSandbox } from '../utils/sandbox.ts';

const env = useSandbox();

const planPath = (id: string, query: string) => `/v2/distribution/products/payment/price-plans/${seg(id)}?${query}`;
const readPlan = (query: string, id: string = PRICE_PLAN_IDS.default) => call(env.sandbox, 'GET', planPath(id, query));

describe('payment profiles', () => {
  it('lists the sample profile, each profile naming a price plan the partner can read', async () => {
    const profiles = await call(env.sandbox, 'GET', '/v2/distribution/products/payment/profiles');
    expect(profiles.status).toBe(200);
    expect(profiles.body.map((p: { payment_profile_id: string }) => p.payment_profile_id)).toContain(
      'krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58',
    );
    const plans = await call(env.sandbox, 'GET', '/v2/distribution/products/payment/price-plans');
    const planIds = plans.body.map((plan: { price_plan_id: string }) => plan.price_plan_id);
    for (const profile of profiles.body) expect(planIds).toContain(profile.price_plan_id);
  });
});

describe('price plans', () => {
  it('lists the default plan with its chained versions', async () => {
    const { body } = await call(env.sandbox, 'GET', '/v2/distribution/products/payment/price-plans');
    const plan = body.find((p: { price_plan_id: string }) => p.price_plan_id === PRICE_PLAN_IDS.default);
    expect(plan).toMatchObject({ name: 'price plan', description: 'Default Price Plan' });
    expect(plan.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(plan.versions[0]).toEqual({ version: 1, effective_from: '2024-01-01T12:00:00Z', effective_to: '2025-01-01T00:00:00Z', comment: 'Active, effective post Jan 1 2024' });
    expect(plan.versions[2].effective_to).toBeNull();
  });

  it('answers the docs sample for the sample date', async () => {
    const { status, body } = await readPlan('merchant_category_code=5411&date_time=2024-01-01T12:00:00Z');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      price_plan_id: 'krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1',
      name: 'price plan',
      description: 'Default Price Plan',
      version: 1,
      effective_from: '2024-01-01T12:00:00Z',
      comment: 'Active, effective post Jan 1 2024',
    });
    expect(body.rates.every((rate: { merchant_category_code: string }) => rate.merchant_category_code === '5411')).toBe(true);
  });

  it('selects the version in force at date_time, the start of a version included', async () => {
    const at = async (dateTime: string) => (await readPlan(`merchant_category_code=5411&date_time=${dateTime}`)).body.version;
    expect(await at('2024-12-31T23:59:59Z')).toBe(1);
    expect(await at('2025-01-01T00:00:00Z')).toBe(2);
    expect((await readPlan('merchant_category_code=5411')).body.version).toBe(2);
    expect((await readPlan('merchant_category_code=5411&date_time=2023-06-01T00:00:00Z')).status).toBe(404);
  });

  it('selects a version explicitly, over date_time, and answers 404 for a version that does not exist', async () => {
    const explicit = await readPlan('merchant_category_code=5411&version=2&date_time=2024-06-01T00:00:00Z');
    expect(explicit.body).toMatchObject({ version: 2, effective_from: '2025-01-01T00:00:00Z' });
    expect((await readPlan('merchant_category_code=5411&version=7')).status).toBe(404);
  });

  it('prices the same rate lower in a later version', async () => {
    const filters = 'merchant_category_code=5411&currency=USD&customer_country=US&pricing_payment_category=PHYSICAL';
    const v1 = await readPlan(`${filters}&version=1&payment_program_id=${PAYMENT_PROGRAM_IDS.base}`);
    const v2 = await readPlan(`${filters}&version=2&payment_program_id=${PAYMENT_PROGRAM_IDS.base}`);
    expect(v1.body.rates).toHaveLength(1);
    expect(v2.body.rates[0].variable_fee).toBe(v1.body.rates[0].variable_fee - 20);
  });

  it('narrows the rates by every filter, codes case-insensitively', async () => {
    const euro = await readPlan('merchant_category_code=5411&version=1&currency=eur&size=100');
    expect(euro.body.rates).toHaveLength(24);
    expect(euro.body.rates.every((rate: { currency: string }) => rate.currency === 'EUR')).toBe(true);
    const one = await readPlan(
      `merchant_category_code=7011&version=1&currency=EUR&partner_country=DE&customer_country=AT&pricing_payment_category=DIGITAL&payment_program_id=${PAYMENT_PROGRAM_IDS.incentive}`,
    );
    expect(one.body.rates).toEqual([
      {
        merchant_category_code: '7011',
        currency: 'EUR',
        partner_country: 'DE',
        customer_country: 'AT',
        pricing_payment_category: 'DIGITAL',
        payment_program_id: PAYMENT_PROGRAM_IDS.incentive,
        fixed_fee: 25,
        variable_fee: 299 + 50 + 20 - 15,
        cross_border_fee: 100,
        micro_transaction_cap: 50,
      },
    ]);
    expect((await readPlan('merchant_category_code=5411&currency=JPY')).body.rates).toEqual([]);
  });

  it('pages the rates, the links keeping the MCC and the filters', async () => {
    const first = await readPlan('merchant_category_code=5411&version=1&currency=EUR&size=10');
    expect(first.body.pagination).toMatchObject({ count: 10, total: 24, first_item: null });
    const second = await call(env.sandbox, 'GET', first.body.pagination.links.next.href);
    expect(second.status).toBe(200);
    const third = await call(env.sandbox, 'GET', second.body.pagination.links.next.href);
    expect(third.body.pagination).toMatchObject({ count: 4, last_item: null });
    const all = [...first.body.rates, ...second.body.rates, ...third.body.rates];
    expect(new Set(all.map((rate) => JSON.stringify(rate))).size).toBe(24);
    const back = await call(env.sandbox, 'GET', third.body.pagination.links.prev.href);
    expect(back.body.rates).toEqual(second.body.rates);
  });

  it('answers the plan under the list sample spelling of its id, and 404 for an unknown plan', async () => {
    const alias = await readPlan('merchant_category_code=5411', 'krn:partner:global:pricing:payment:price-plan:ad71bc48-8a07-4919-a2c1');
    expect(alias.status).toBe(200);
    expect(alias.body.price_plan_id).toBe(PRICE_PLAN_IDS.default);
    const unknown = await readPlan('merchant_category_code=5411', 'krn:partner:global:payment:price-plan:00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_NOT_FOUND');
  });

  it('requires a known merchant category code', async () => {
    const missing = await call(env.sandbox, 'GET', `/v2/distribution/products/payment/price-plans/${seg(PRICE_PLAN_IDS.standard)}`);
    expect(missing.status).toBe(400);
    expect((await readPlan('merchant_category_code=1234', PRICE_PLAN_IDS.standard)).status).toBe(400);
    expect((await readPlan('merchant_category_code=5411', PRICE_PLAN_IDS.standard)).status).toBe(200);
  });
});

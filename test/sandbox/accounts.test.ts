/** Partner accounts and the resources inside them: entities, brands, stores, store groups, payment accounts. */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { LARGE_STORE_ACCOUNT_ID } from '../../src/sandbox/seed/portfolio.ts';
import { admin, call, seg, useSandbox, type CallResult } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const ENTITY = 'krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58';
const BRAND = 'krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613';
const GROUP_DE = 'krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613';
const STORE_DE = 'krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613';
const PRODUCT = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
const PAYMENT_ACCOUNT = 'krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b';
const account = `/v2/accounts/${seg(ACCOUNT)}`;

/** A JSON object of a response body, untyped as `call` returns it. */
type Ided = CallResult['body'];
const ids = (items: Ided[], field: string) => items.map((item) => item[field] as string);

describe('getAccount', () => {
  const context = useSandbox();

  it("returns the account's own fields and its products, and no other collection unless expanded", async () => {
    const response = await call(context.sandbox, 'GET', account);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      partner_account_id: ACCOUNT,
      partner_account_reference: 'M123786123412',
      partner_account_name: 'Merchant ABC US',
      partner_account_contact: expect.objectContaining({ email: expect.any(String) }),
      state: 'OPERATIONAL',
      state_reason: 'SETUP_COMPLETE',
      products: [expect.objectContaining({ product_id: PRODUCT, state: 'ENABLED' })],
    });
    for (const field of ['partner_business_entities', 'brands', 'store_groups']) expect(response.body).not.toHaveProperty(field);
  });

  it.each(['partner_busines_entities', 'partner_business_entities'])('expands business entities with %s', async (value) => {
    const response = await call(context.sandbox, 'GET', `${account}?expand=${value}`);
    expect(response.status).toBe(200);
    expect(ids(response.body.partner_business_entities, 'partner_business_entity_id')).toContain(ENTITY);
    expect(response.body).not.toHaveProperty('partner_busines_entities');
    expect(response.body).not.toHaveProperty('brands');
  });

  it('expands brands, and products (always present anyway)', async () => {
    const response = await call(context.sandbox, 'GET', `${account}?expand=brands,products`);
    expect(ids(response.body.brands, 'brand_id')).toContain(BRAND);
    expect(ids(response.body.products, 'product_id')).toEqual([PRODUCT]);
    expect(response.body).not.toHaveProperty('store_groups');
  });

  it('expands store groups without their stores, or with them for store_groups.stores', async () => {
    const groups = (await call(context.sandbox, 'GET', `${account}?expand=store_groups`)).body.store_groups;
    expect(ids(groups, 'store_group_id')).toContain(GROUP_DE);
    for (const group of groups) expect(group).not.toHaveProperty('stores');
    const withStores = (await call(context.sandbox, 'GET', `${account}?expand=store_groups.stores`)).body.store_groups;
    const de = withStores.find((group: Ided) => group.store_group_id === GROUP_DE);
    expect(ids(de.stores, 'store_id')).toContain(STORE_DE);
    for (const store of de.stores) expect(store.store_group_id).toBe(GROUP_DE);
  });

  it('rejects more than 10 expansions and unknown ones with 400', async () => {
    const eleven = Array.from({ length: 11 }, () => 'brands').join(',');
    const tooMany = await call(context.sandbox, 'GET', `${account}?expand=${eleven}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error_code: 'VALIDATION_ERROR', validation_errors: [expect.objectContaining({ parameter: 'query.expand' })] });
    const ten = Array.from({ length: 10 }, () => 'brands').join(',');
    expect((await call(context.sandbox, 'GET', `${account}?expand=${ten}`)).status).toBe(200);
    const unknown = await call(context.sandbox, 'GET', `${account}?expand=brands,stores`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.validation_errors[0].parameter).toMatch(/^query\.expand/);
  });

  it("answers another partner's account, and an unknown one, with 404", async () => {
    const foreign = await call(context.sandbox, 'GET', account, { apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'RESOURCE_NOT_FOUND' });
    expect((await call(context.sandbox, 'GET', `/v2/accounts/${seg('krn:partner:global:account:live:NOPE0000')}`)).status).toBe(404);
  });

  it('refuses requests without credentials or with an unknown key (401), and without the metadata header (400)', async () => {
    expect((await call(context.sandbox, 'GET', account, { apiKey: null })).status).toBe(401);
    expect((await call(context.sandbox, 'GET', account, { apiKey: 'klarna_test_api_wrong' })).status).toBe(401);
    const noMetadata = await call(context.sandbox, 'GET', account, { headers: { 'klarna-integration-metadata': undefined as unknown as string } });
    expect(noMetadata.status).toBe(400);
    expect(noMetadata.body.validation_errors[0].parameter).toMatch(/^header\.klarna-integration-metadata$/i);
  });
});

describe('getAccount in lenient mode', () => {
  const context = useSandbox({ lenient: true });

  it('accepts a request without Klarna-Integration-Metadata', async () => {
    const response = await call(context.sandbox, 'GET', account, { headers: { 'klarna-integration-metadata': undefined as unknown as string } });
    expect(response.status).toBe(200);
  });
});

describe('updateAccount', () => {
  const context = useSandbox({ onboardingDelayMs: 5_000 });
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');

  it('changes top-level fields at once, leaving the state alone', async () => {
    const response = await call(context.sandbox, 'PATCH', account, { body: { partner_account_name: 'Merchant ABC United States' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ partner_account_id: ACCOUNT, partner_account_name: 'Merchant ABC United States', state: 'OPERATIONAL' });
    expect((await call(context.sandbox, 'GET', account)).body.partner_account_name).toBe('Merchant ABC United States');
    expect((await ledger()).at(-1)).toEqual({ operationId: 'updateAccount', idempotencyKey: null, target: ACCOUNT, applied: 1 });
  });

  it('applies a new contact asynchronously: PARTIALLY_OPERATIONAL / ACCOUNT_UPDATE, then OPERATIONAL with a webhook', async () => {
    const contact = { given_name: 'Ada', family_name: 'Lovelace', email: 'ada@merchant-abc.example' };
    const response = await call(context.sandbox, 'PATCH', account, { body: { partner_account_contact: contact } });
    expect(response.body).toMatchObject({ partner_account_contact: contact, state: 'PARTIALLY_OPERATIONAL', state_reason: 'ACCOUNT_UPDATE' });
    expect((await call(context.sandbox, 'GET', account)).body).toMatchObject({ partner_account_contact: contact, state: 'PARTIALLY_OPERATIONAL' });
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 5_000 });
    expect((await call(context.sandbox, 'GET', account)).body).toMatchObject({ state: 'OPERATIONAL', state_reason: 'SETUP_COMPLETE' });
    const events = await admin<{ metadata: Ided; payload: Ided }[]>(context.sandbox, 'GET', '/webhooks/events');
    expect(events.filter((event) => event.metadata.event_type === 'partner.account.state-change.operational' && event.metadata.subject_account_id === ACCOUNT)).toHaveLength(1);
  });

  it("rejects another account's reference (RESOURCE_CONFLICT) and a contact without email (contract), changing nothing", async () => {
    const other = [...context.sandbox.state.accounts.values()].find(
      (record) => record.ownerId === DEMO_CREDENTIALS.principalId && record.account.partner_account_id !== ACCOUNT,
    )!;
    const before = await ledger();
    const taken = await call(context.sandbox, 'PATCH', account, { body: { partner_account_reference: other.account.partner_account_reference } });
    expect(taken.status).toBe(400);
    expect(taken.body).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'RESOURCE_CONFLICT' });
    const noEmail = await call(context.sandbox, 'PATCH', account, { body: { partner_account_contact: { given_name: 'X' } } });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.validation_errors).toEqual([{ parameter: 'body.partner_account_contact.email', reason: 'is required' }]);
    expect(await ledger()).toEqual(before);
    expect((await call(context.sandbox, 'GET', account)).body).toMatchObject({ partner_account_reference: 'M123786123412', state: 'OPERATIONAL' });
  });

  it("answers another partner's PATCH with 404", async () => {
    const response = await call(context.sandbox, 'PATCH', account, { body: { partner_account_name: 'Stolen' }, apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(response.status).toBe(404);
    expect((await call(context.sandbox, 'GET', account)).body.partner_account_name).not.toBe('Stolen');
  });
});

describe('partner business entities and brands', () => {
  const context = useSandbox();

  it('lists entities with pagination, reads one and replaces its supplementary data', async () => {
    const list = await call(context.sandbox, 'GET', `${account}/partner-business-entities?size=1`);
    expect(list.status).toBe(200);
    expect(list.body.pagination).toMatchObject({ count: 1, total: 2, first_item: null });
    expect(ids(list.body.partner_business_entities, 'partner_business_entity_id')).toEqual([ENTITY]);
    const next = await call(context.sandbox, 'GET', `${account}/partner-business-entities?size=1&starting_after=${seg(list.body.pagination.last_item)}`);
    expect(next.body.partner_business_entities).toHaveLength(1);
    expect(next.body.pagination.last_item).toBeNull();

    const data = { operating_addresses: [{ street_address: '1 Main St', city: 'Boston', postal_code: '02108', country: 'US' }] };
    const updated = await call(context.sandbox, 'PATCH', `${account}/partner-business-entities/${seg(ENTITY)}`, { body: { supplementary_business_data: data } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ partner_business_entity_id: ENTITY, supplementary_business_data: data });
    expect((await call(context.sandbox, 'GET', `${account}/partner-business-entities/${seg(ENTITY)}`)).body.supplementary_business_data).toEqual(data);
    expect((await call(context.sandbox, 'GET', `${account}/partner-business-entities/${seg(`${ENTITY}x`)}`)).status).toBe(404);
  });

  it('replaces a brand as a whole; store groups follow its new reference', async () => {
    const brands = await call(context.sandbox, 'GET', `${account}/brands`);
    expect(ids(brands.body.brands, 'brand_id')).toContain(BRAND);
    const body = { display_name: 'Merchant ABC DE', brand_reference: 'abc_de' };
    const updated = await call(context.sandbox, 'PATCH', `${account}/brands/${seg(BRAND)}`, { body });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ brand_id: BRAND, ...body });
    expect((await call(context.sandbox, 'GET', `${account}/brands/${seg(BRAND)}`)).body).toEqual({ brand_id: BRAND, ...body });
    const group = await call(context.sandbox, 'GET', `${account}/store-groups/${seg(GROUP_DE)}`);
    expect(group.body).toMatchObject({ brand_id: BRAND, brand_reference: 'abc_de' });
  });

  it("rejects a brand reference another brand uses, and another partner's brand", async () => {
    const other = (await call(context.sandbox, 'GET', `${account}/brands`)).body.brands.find((brand: Ided) => brand.brand_id !== BRAND);
    const conflict = await call(context.sandbox, 'PATCH', `${account}/brands/${seg(BRAND)}`, {
      body: { display_name: 'X', brand_reference: other.brand_reference },
    });
    expect(conflict.status).toBe(400);
    expect(conflict.body.error_code).toBe('RESOURCE_CONFLICT');
    expect((await call(context.sandbox, 'GET', `${account}/brands/${seg(BRAND)}`)).body.display_name).toBe('Merchant ABC DE');
    expect((await call(context.sandbox, 'GET', `${account}/brands/${seg(BRAND)}`, { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(404);
  });
});

describe('stores and store groups', () => {
  const context = useSandbox();
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');
  const large = `/v2/accounts/${seg(LARGE_STORE_ACCOUNT_ID)}/stores`;

  it('pages through a 300-store account forward and backward', async () => {
    const forward: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: Ided } = await call(context.sandbox, 'GET', `${large}?size=100${cursor ? `&starting_after=${seg(cursor)}` : ''}`);
      expect(page.body.pagination.total).toBe(300);
      forward.push(...ids(page.body.stores, 'store_id'));
      cursor = page.body.pagination.last_item;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(forward).size).toBe(300);

    const last = await call(context.sandbox, 'GET', `${large}?size=100&starting_after=${seg(forward[199]!)}`);
    const backward: string[] = ids(last.body.stores, 'store_id');
    let before: string | undefined = last.body.pagination.first_item;
    while (before) {
      const page: { body: Ided } = await call(context.sandbox, 'GET', `${large}?size=100&ending_before=${seg(before)}`);
      backward.unshift(...ids(page.body.stores, 'store_id'));
      before = page.body.pagination.first_item ?? undefined;
    }
    expect(backward).toEqual(forward);
  });

  it('rejects both cursors at once, and a page size over 100', async () => {
    const both = await call(context.sandbox, 'GET', `${large}?starting_after=a&ending_before=b`);
    expect(both.status).toBe(400);
    expect((await call(context.sandbox, 'GET', `${large}?size=101`)).status).toBe(400);
  });

  it('reads and replaces a store; only websites in r6, references unique per account', async () => {
    const store = await call(context.sandbox, 'GET', `${account}/stores/${seg(STORE_DE)}`);
    expect(store.body).toMatchObject({ store_id: STORE_DE, type: 'WEBSITE', store_group_id: GROUP_DE });
    const body = { type: 'WEBSITE', store_reference: 'store_de_web_2', url: 'https://www.merchant-abc.de/shop' };
    const updated = await call(context.sandbox, 'PATCH', `${account}/stores/${seg(STORE_DE)}`, { body });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ store_id: STORE_DE, ...body, store_group_id: GROUP_DE });
    expect((await call(context.sandbox, 'GET', `${account}/stores/${seg(STORE_DE)}`)).body).toEqual(updated.body);

    const before = await ledger();
    const physical = await call(context.sandbox, 'PATCH', `${account}/stores/${seg(STORE_DE)}`, { body: { ...body, type: 'PHYSICAL_STORE' } });
    expect(physical.status).toBe(400);
    expect(physical.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.type' })]);
    const taken = await call(context.sandbox, 'PATCH', `${account}/stores/${seg(STORE_DE)}`, { body: { ...body, store_reference: 'store_us_web' } });
    expect(taken.status).toBe(400);
    expect(taken.body.error_code).toBe('RESOURCE_CONFLICT');
    expect(await ledger()).toEqual(before);
  });

  it("replaces a group's stores by store_reference: kept ones keep their ids, new ones get ids, absent ones go", async () => {
    const group = (await call(context.sandbox, 'GET', `${account}/store-groups/${seg(GROUP_DE)}`)).body;
    const [first, second] = group.stores as Ided[];
    const body = {
      store_group_reference: 'store_group_de',
      support_contact: { email: 'hilfe@merchant-abc.example' },
      stores: [
        { type: 'WEBSITE', store_reference: second!.store_reference, url: 'https://www.merchant-abc.at/neu' },
        { type: 'WEBSITE', store_reference: 'store_ch_web', url: 'https://www.merchant-abc.ch' },
      ],
    };
    const updated = await call(context.sandbox, 'PATCH', `${account}/store-groups/${seg(GROUP_DE)}`, { body });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ store_group_id: GROUP_DE, support_contact: { email: 'hilfe@merchant-abc.example' } });
    const [kept, added] = updated.body.stores as Ided[];
    expect(kept).toEqual({ store_id: second!.store_id, ...body.stores[0], store_group_id: GROUP_DE });
    expect(added).toMatchObject({ store_reference: 'store_ch_web', store_group_id: GROUP_DE });
    expect(added!.store_id).toMatch(/^krn:partner:global:account:stores:/);
    expect((await call(context.sandbox, 'GET', `${account}/stores/${seg(first!.store_id)}`)).status).toBe(404);
    expect((await call(context.sandbox, 'GET', `${account}/store-groups/${seg(GROUP_DE)}`)).body).toEqual(updated.body);
  });

  it("rejects a store group update that reuses another group's references or adds a non-website", async () => {
    const before = await ledger();
    const base = { store_group_reference: 'store_group_de', stores: [{ type: 'WEBSITE', store_reference: 'store_ch_web', url: 'https://www.merchant-abc.ch' }] };
    const groupTaken = await call(context.sandbox, 'PATCH', `${account}/store-groups/${seg(GROUP_DE)}`, { body: { ...base, store_group_reference: 'store_group_us' } });
    expect(groupTaken.body.error_code).toBe('RESOURCE_CONFLICT');
    const storeTaken = await call(context.sandbox, 'PATCH', `${account}/store-groups/${seg(GROUP_DE)}`, {
      body: { ...base, stores: [{ type: 'WEBSITE', store_reference: 'store_us_web', url: 'https://x.example' }] },
    });
    expect(storeTaken.body.error_code).toBe('RESOURCE_CONFLICT');
    const mobile = await call(context.sandbox, 'PATCH', `${account}/store-groups/${seg(GROUP_DE)}`, {
      body: { ...base, stores: [...base.stores, { type: 'MOBILE_APP', store_reference: 'app', url: 'https://app.example' }] },
    });
    expect(mobile.status).toBe(400);
    expect(mobile.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.stores.1.type' })]);
    expect(await ledger()).toEqual(before);
  });

  it('lists store groups with their stores, paged', async () => {
    const list = await call(context.sandbox, 'GET', `/v2/accounts/${seg(LARGE_STORE_ACCOUNT_ID)}/store-groups?size=2`);
    expect(list.body.pagination).toMatchObject({ count: 2, total: 4 });
    expect(list.body.store_groups[0].stores.length).toBeGreaterThan(0);
  });
});

describe('payment accounts', () => {
  const context = useSandbox();
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');
  const path = (product = 'default') => `${account}/products/payment/${seg(product)}/payment-accounts/${seg(PAYMENT_ACCOUNT)}`;

  it('reads a payment account through its product or the default alias', async () => {
    const byId = await call(context.sandbox, 'GET', path(PRODUCT));
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ payment_account_id: PAYMENT_ACCOUNT, status: 'ENABLED', payment_account_reference: 'payment_account_ref', default_merchant_category_code: '5411' });
    expect((await call(context.sandbox, 'GET', path())).body).toEqual(byId.body);
  });

  it('updates the reference and the default MCC', async () => {
    const updated = await call(context.sandbox, 'PATCH', path(), { body: { payment_account_reference: 'pa_ref_2', default_merchant_category_code: '5499' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ payment_account_reference: 'pa_ref_2', default_merchant_category_code: '5499' });
    expect((await call(context.sandbox, 'GET', path())).body).toMatchObject({ payment_account_reference: 'pa_ref_2', default_merchant_category_code: '5499' });
  });

  it('rejects an MCC not in the list, a reference in use, unknown ids and other partners, changing nothing', async () => {
    const before = await ledger();
    const badMcc = await call(context.sandbox, 'PATCH', path(), { body: { default_merchant_category_code: '0001' } });
    expect(badMcc.status).toBe(400);
    expect(badMcc.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.default_merchant_category_code' })]);
    const taken = await call(context.sandbox, 'PATCH', path(), { body: { payment_account_reference: 'payment_account_ref_online' } });
    expect(taken.body.error_code).toBe('RESOURCE_CONFLICT');
    expect((await call(context.sandbox, 'GET', `${account}/products/payment/default/payment-accounts/${seg('krn:nope')}`)).status).toBe(404);
    expect((await call(context.sandbox, 'GET', path(), { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(404);
    expect(await ledger()).toEqual(before);
    expect((await call(context.sandbox, 'GET', path())).body.default_merchant_category_code).toBe('5499');
  });
});

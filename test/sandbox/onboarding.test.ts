/** Onboarding and migration of merchants: validation beyond the schema, the account they create, its webhook. */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookSubscriber } from '../../src/sandbox/webhooks.ts';
import { admin, call, seg, useSandbox } from '../utils/sandbox.ts';
import { startWebhookReceiver } from '../utils/webhook-receiver.ts';

const PROFILE = 'krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58';
const ACQUIRING = 'krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b';

/** A valid r6 onboarding payload; every reference is unique to `tag`. */
function payload(tag: string) {
  return {
    partner_account_reference: `ref-${tag}`,
    partner_account_name: `Merchant ${tag}`,
    partner_account_contact: { given_name: 'Jane', family_name: 'Doe', email: 'jane.doe@example.com' },
    partner_business_entities: [
      {
        partner_business_entity_reference: 'entity_1',
        legal_registered_entity_name: 'Entity LLC',
        legal_registration_country: 'US',
        enabled_merchant_category_codes: ['5411'],
      },
    ],
    products: [
      {
        type: 'PAYMENT',
        payment_profile_id: PROFILE,
        payment_accounts: [
          {
            payment_acquiring_account_id: ACQUIRING,
            payment_account_reference: `pa-${tag}`,
            partner_business_entity_reference: 'entity_1',
            default_store_group_reference: 'group_1',
            default_merchant_category_code: '5411',
          },
        ],
      },
    ],
    brands: [{ display_name: 'Brand', brand_reference: 'brand_1', element: { logo_url: 'https://example.com/logo.png' } }],
    store_groups: [
      {
        store_group_reference: 'group_1',
        brand_reference: 'brand_1',
        support_contact: { email: 'support@example.com' },
        stores: [
          { type: 'WEBSITE', store_reference: 'web_1', url: 'https://www.example.com' },
          { type: 'WEBSITE', store_reference: 'web_2', url: 'https://shop.example.com' },
        ],
      },
    ],
  };
}

const subscribers: WebhookSubscriber[] = [];
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  subscribers.push({ url: receiver.url, signingKeyId: 'k1', signingKey: 'secret' });
});
afterAll(() => receiver.close());

/** The delivery about `accountId`, once it has arrived. */
async function deliveryFor(accountId: string, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const found = receiver.received.find((delivery) => delivery.body.metadata.subject_account_id === accountId);
    if (found) return found;
  }
  throw new Error(`no webhook about ${accountId} arrived`);
}

describe('onboardPartner', () => {
  const context = useSandbox({ webhooks: subscribers, onboardingDelayMs: 60_000 });
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');
  const accountsNamed = (reference: string) =>
    [...context.sandbox.state.accounts.values()].filter((record) => record.account.partner_account_reference === reference);

  async function expectRejected(body: unknown, expected: { parameter: string; reason?: string }[]) {
    const before = await ledger();
    const response = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_type: 'INPUT_ERROR', error_code: 'VALIDATION_ERROR' });
    for (const violation of expected) expect(response.body.validation_errors).toContainEqual(expect.objectContaining(violation));
    expect(await ledger()).toEqual(before);
    expect(accountsNamed((body as { partner_account_reference: string }).partner_account_reference)).toEqual([]);
    return response;
  }

  it('creates the whole account PARTIALLY_OPERATIONAL, then OPERATIONAL with a signed webhook after the delay', async () => {
    const response = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('happy') });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      partner_account_id: expect.stringMatching(/^krn:partner:global:account:(live|test):[A-Z0-9]{8}$/),
      partner_account_reference: 'ref-happy',
      partner_account_name: 'Merchant happy',
      state: 'PARTIALLY_OPERATIONAL',
      state_reason: 'INITIAL_SETUP',
    });
    const id = response.body.partner_account_id as string;
    const path = `/v2/accounts/${seg(id)}?expand=partner_busines_entities,brands,store_groups.stores`;

    const created = await call(context.sandbox, 'GET', path);
    expect(created.body).toMatchObject({ state: 'PARTIALLY_OPERATIONAL', state_reason: 'INITIAL_SETUP' });
    const [entity] = created.body.partner_business_entities;
    const [brand] = created.body.brands;
    const [group] = created.body.store_groups;
    expect(entity).toMatchObject({ partner_business_entity_reference: 'entity_1', legal_registered_entity_name: 'Entity LLC' });
    expect(brand).toMatchObject({ brand_reference: 'brand_1', display_name: 'Brand' });
    expect(group).toMatchObject({ store_group_reference: 'group_1', brand_id: brand.brand_id, brand_reference: 'brand_1' });
    expect(group.stores.map((store: { store_reference: string }) => store.store_reference)).toEqual(['web_1', 'web_2']);
    expect(group.stores[0].store_group_id).toBe(group.store_group_id);
    expect(created.body.products).toEqual([
      expect.objectContaining({
        type: 'PAYMENT',
        payment_profile_id: PROFILE,
        state: 'ENABLED',
        state_reason: 'APPROVED',
        payment_accounts: [
          expect.objectContaining({
            status: 'ENABLED',
            payment_account_reference: 'pa-happy',
            partner_business_entity_id: entity.partner_business_entity_id,
            default_store_group_id: group.store_group_id,
            payment_acquiring_account_id: ACQUIRING,
            default_merchant_category_code: '5411',
          }),
        ],
      }),
    ]);

    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 30_000 });
    expect((await call(context.sandbox, 'GET', path)).body.state).toBe('PARTIALLY_OPERATIONAL');
    expect(receiver.received.filter((delivery) => delivery.body.metadata.subject_account_id === id)).toEqual([]);

    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 30_000 });
    const operational = await call(context.sandbox, 'GET', path);
    expect(operational.body).toMatchObject({ state: 'OPERATIONAL', state_reason: 'SETUP_COMPLETE' });

    const delivery = await deliveryFor(id);
    expect(delivery.headers['klarna-signing-key-id']).toBe('k1');
    expect(delivery.headers['klarna-signature']).toBe(createHmac('sha256', 'secret').update(delivery.rawBody).digest('hex'));
    expect(delivery.body.metadata).toMatchObject({ event_type: 'partner.account.state-change.operational', subject_account_id: id });
    expect(delivery.body.metadata).not.toHaveProperty('product_instance_id');
    expect(delivery.body.payload).toEqual({
      partner_account_id: id,
      partner_account_reference: 'ref-happy',
      state: 'OPERATIONAL',
      state_reason: 'SETUP_COMPLETE',
      previous_state: 'PARTIALLY_OPERATIONAL',
    });
  });

  it('takes exactly one item in each array in r6', async () => {
    const body = payload('two-brands');
    body.brands.push({ display_name: 'Second', brand_reference: 'brand_2', element: { logo_url: 'https://example.com/2.png' } });
    body.partner_business_entities.push({ ...body.partner_business_entities[0]!, partner_business_entity_reference: 'entity_2' });
    await expectRejected(body, [
      { parameter: 'body.brands', reason: 'must contain exactly one item' },
      { parameter: 'body.partner_business_entities', reason: 'must contain exactly one item' },
    ]);
  });

  it('rejects cross references that name nothing in the payload, at their JSON paths', async () => {
    const body = payload('dangling');
    body.products[0]!.payment_accounts[0]!.partner_business_entity_reference = 'entity_x';
    body.products[0]!.payment_accounts[0]!.default_store_group_reference = 'group_x';
    body.store_groups[0]!.brand_reference = 'brand_x';
    const response = await expectRejected(body, [
      { parameter: 'body.products.0.payment_accounts.0.partner_business_entity_reference' },
      { parameter: 'body.products.0.payment_accounts.0.default_store_group_reference' },
      { parameter: 'body.store_groups.0.brand_reference' },
    ]);
    expect(response.body.validation_errors).toHaveLength(3);
  });

  it('rejects an unknown payment profile, a store that is not a website and a repeated store reference', async () => {
    const body = payload('odd-stores');
    body.products[0]!.payment_profile_id = 'krn:partner:global:account:payment-profile:00000000-0000-4000-8000-000000000000';
    body.store_groups[0]!.stores[1] = { type: 'PHYSICAL_STORE', store_reference: 'web_1', url: 'https://www.example.com' };
    await expectRejected(body, [
      { parameter: 'body.products.0.payment_profile_id', reason: 'does not name a known payment profile' },
      { parameter: 'body.store_groups.0.stores.1.type' },
      { parameter: 'body.store_groups.0.stores.1.store_reference' },
    ]);
  });

  it('rejects what the schema forbids (a missing contact, an MCC not in the list) before anything else', async () => {
    const { partner_account_contact: _contact, ...withoutContact } = payload('no-contact');
    await expectRejected(withoutContact, [{ parameter: 'body.partner_account_contact', reason: 'is required' }]);
    const badMcc = payload('bad-mcc');
    badMcc.products[0]!.payment_accounts[0]!.default_merchant_category_code = '0000';
    await expectRejected(badMcc, [{ parameter: 'body.products.0.payment_accounts.0.default_merchant_category_code' }]);
  });

  it('answers a reference the partner already onboarded with 400 RESOURCE_CONFLICT', async () => {
    expect((await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('twice') })).status).toBe(200);
    const before = await ledger();
    const again = payload('twice');
    again.products[0]!.payment_accounts[0]!.payment_account_reference = 'pa-twice-2';
    const response = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: again });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'RESOURCE_CONFLICT' });
    expect(await ledger()).toEqual(before);
    expect(accountsNamed('ref-twice')).toHaveLength(1);
  });

  it('replays a repeated Klarna-Idempotency-Key: same response, applied once, one account', async () => {
    const key = randomUUID();
    const headers = { 'klarna-idempotency-key': key };
    const first = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('idem'), headers });
    const second = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('idem'), headers });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const entries = (await ledger()) as { operationId: string; idempotencyKey: string | null; applied: number; target: string }[];
    expect(entries.filter((entry) => entry.idempotencyKey === key)).toEqual([
      { operationId: 'onboardPartner', idempotencyKey: key, target: first.body.partner_account_id, applied: 1 },
    ]);
    expect(accountsNamed('ref-idem')).toHaveLength(1);
  });

  it('refuses a request without credentials or with an unknown key', async () => {
    expect((await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('anon'), apiKey: null })).status).toBe(401);
    const wrong = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('anon'), apiKey: 'klarna_test_api_nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error_type: 'ACCESS_ERROR', error_code: 'UNAUTHORIZED' });
    expect(accountsNamed('ref-anon')).toEqual([]);
  });
});

describe('migratePartner', () => {
  const context = useSandbox({ onboardingDelayMs: 1_000 });

  it('creates a new account when the reference is unknown, brands being optional', async () => {
    const { brands: _brands, ...body } = payload('migrated');
    delete (body.store_groups[0] as { brand_reference?: string }).brand_reference;
    const response = await call(context.sandbox, 'POST', '/v2/distribution/migrate', { body });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ partner_account_reference: 'ref-migrated', state: 'PARTIALLY_OPERATIONAL', state_reason: 'INITIAL_SETUP' });
    const account = await call(context.sandbox, 'GET', `/v2/accounts/${seg(response.body.partner_account_id)}?expand=brands,store_groups`);
    expect(account.body.brands).toEqual([]);
    expect(account.body.store_groups).toHaveLength(1);
  });

  it('overwrites an existing account of the same reference, keeping its identifier', async () => {
    const onboarded = await call(context.sandbox, 'POST', '/v2/distribution/onboard', { body: payload('legacy') });
    const id = onboarded.body.partner_account_id as string;
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 1_000 });
    const body = payload('legacy');
    body.partner_account_name = 'Renamed';
    body.store_groups[0]!.stores = [{ type: 'WEBSITE', store_reference: 'only_store', url: 'https://only.example.com' }];
    const migrated = await call(context.sandbox, 'POST', '/v2/distribution/migrate', { body });
    expect(migrated.status).toBe(200);
    expect(migrated.body).toMatchObject({ partner_account_id: id, partner_account_name: 'Renamed', state: 'PARTIALLY_OPERATIONAL' });
    const stores = await call(context.sandbox, 'GET', `/v2/accounts/${seg(id)}/stores`);
    expect(stores.body.stores.map((store: { store_reference: string }) => store.store_reference)).toEqual(['only_store']);
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 1_000 });
    expect((await call(context.sandbox, 'GET', `/v2/accounts/${seg(id)}`)).body.state).toBe('OPERATIONAL');
  });
});

describe('onboardPartner in lenient mode (later releases)', () => {
  const context = useSandbox({ lenient: true });

  it('takes several items per array and no Klarna-Integration-Metadata header', async () => {
    const body = payload('lenient');
    body.brands.push({ display_name: 'Second', brand_reference: 'brand_2', element: { logo_url: 'https://example.com/2.png' } });
    body.store_groups[0]!.stores.push({ type: 'PHYSICAL_STORE', store_reference: 'shop_1', url: 'https://example.com/shop' });
    const response = await call(context.sandbox, 'POST', '/v2/distribution/onboard', {
      body,
      headers: { 'klarna-integration-metadata': undefined as unknown as string },
    });
    expect(response.status).toBe(200);
    const account = await call(context.sandbox, 'GET', `/v2/accounts/${seg(response.body.partner_account_id)}?expand=brands`);
    expect(account.body.brands).toHaveLength(2);
  });
});

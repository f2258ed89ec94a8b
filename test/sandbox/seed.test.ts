import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { DOCS_CREDENTIAL_IDS } from '../../src/sandbox/seed/docs-credentials.ts';
import {
  DOCS_ACCOUNT_ID, DOCS_BRAND_ID, DOCS_DECISION_ID, DOCS_ENTITY_ID, DOCS_PAYMENT_ACCOUNT_ID, DOCS_PRODUCT_ID, DOCS_STORE_ID,
} from '../../src/sandbox/seed/docs-samples.ts';
import { DEMO_CREDENTIALS, seedState } from '../../src/sandbox/seed/index.ts';
import {
  LARGE_STORE_ACCOUNT_ID, LARGE_STORE_ACCOUNT_STORES, otherPortfolioAccountIds, portfolioAccountIds,
} from '../../src/sandbox/seed/portfolio.ts';
import { createEmptyState } from '../../src/sandbox/state.ts';
import { call, seg, useSandbox } from '../utils/sandbox.ts';

const SEED = 4242;
const env = useSandbox({ accounts: 6, seed: SEED });
const accountPath = (id: string, rest = '') => `/v2/accounts/${seg(id)}${rest}`;

describe('seed: the docs samples', () => {
  it('answers the sample account with the sample values', async () => {
    const { status, body } = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, '?expand=products'));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      partner_account_id: 'krn:partner:global:account:live:LWT2XJSE',
      partner_account_reference: 'M123786123412',
      partner_account_name: 'Merchant ABC US',
      state: 'OPERATIONAL',
      state_reason: 'SETUP_COMPLETE',
    });
    expect(body.products[0]).toMatchObject({
      product_id: DOCS_PRODUCT_ID,
      type: 'PAYMENT',
      payment_profile_id: 'krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58',
      state: 'ENABLED',
      state_reason: 'APPROVED',
    });
  });

  it('answers the sample business entity, brand, store and payment account', async () => {
    const entity = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, `/partner-business-entities/${seg(DOCS_ENTITY_ID)}`));
    expect(entity.body).toMatchObject({ partner_business_entity_reference: 'business_entity_1', legal_registered_entity_name: 'Legal Entity LLC', legal_registration_country: 'US' });
    const brand = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, `/brands/${seg(DOCS_BRAND_ID)}`));
    expect(brand.body).toMatchObject({ display_name: 'My Branding DE', brand_reference: 'My_Branding_Ref_DE' });
    const store = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, `/stores/${seg(DOCS_STORE_ID)}`));
    expect(store.body).toMatchObject({ store_id: DOCS_STORE_ID, type: 'WEBSITE' });
    const paymentAccount = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, `/products/payment/default/payment-accounts/${seg(DOCS_PAYMENT_ACCOUNT_ID)}`));
    expect(paymentAccount.body).toMatchObject({ payment_account_id: DOCS_PAYMENT_ACCOUNT_ID, status: 'ENABLED', payment_account_reference: 'payment_account_ref', default_merchant_category_code: '5411' });
  });

  it('pages the sample account compliance decisions', async () => {
    const first = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, '/compliance/decisions?size=5'));
    expect(first.body.pagination).toMatchObject({ count: 5, total: 8 });
    expect(first.body.decisions[0]).toMatchObject({ decision_id: DOCS_DECISION_ID, decision_type: 'NON_COMPLIANT', partner_account_id: DOCS_ACCOUNT_ID });
    const rest = await call(env.sandbox, 'GET', accountPath(DOCS_ACCOUNT_ID, `/compliance/decisions?size=5&starting_after=${encodeURIComponent(first.body.pagination.last_item)}`));
    expect(rest.body.decisions).toHaveLength(3);
  });

  it('registers the demo key and the credential samples as the demo partner credentials only', async () => {
    const keys = await call(env.sandbox, 'GET', '/v2/account/integration/credentials/api-key');
    const ids = keys.body.credentials.map((c: { credential_id: string }) => c.credential_id);
    expect(ids).toEqual(expect.arrayContaining([DOCS_CREDENTIAL_IDS.liveApiKey, DOCS_CREDENTIAL_IDS.testApiKey]));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const sample = await call(env.sandbox, 'GET', `/v2/account/integration/credentials/api-key/${DOCS_CREDENTIAL_IDS.testApiKey}`);
    expect(sample.body).toMatchObject({ status: 'ENABLED', description: 'Test API Credentials', type: 'API', environment: 'TEST' });
    const clients = await call(env.sandbox, 'GET', '/v2/account/integration/credentials/client-identifier');
    expect(clients.body.credentials).toHaveLength(2);
    const foreign = await call(env.sandbox, 'GET', '/v2/account/integration/credentials/api-key', { apiKey: DEMO_CREDENTIALS.otherApiKey });
    const foreignIds = foreign.body.credentials.map((c: { credential_id: string }) => c.credential_id);
    expect(foreignIds).toHaveLength(1);
    expect(foreignIds).not.toContain(DOCS_CREDENTIAL_IDS.testApiKey);
  });
});

describe('seed: the generated portfolio', () => {
  it('gives the demo partner its generated accounts and the other partner three of its own', async () => {
    for (const id of portfolioAccountIds(SEED, 6)) {
      expect(id).toMatch(/^krn:partner:global:account:test:[A-Z0-9]{8}$/);
      expect((await call(env.sandbox, 'GET', accountPath(id))).status).toBe(200);
      expect((await call(env.sandbox, 'GET', accountPath(id), { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(404);
    }
    for (const id of otherPortfolioAccountIds(SEED)) {
      expect((await call(env.sandbox, 'GET', accountPath(id), { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(200);
      expect((await call(env.sandbox, 'GET', accountPath(id))).status).toBe(404);
    }
  });

  it('pages through the 300 stores of the large account', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?size=100&starting_after=${encodeURIComponent(cursor)}` : '?size=100';
      const page = await call(env.sandbox, 'GET', accountPath(LARGE_STORE_ACCOUNT_ID, `/stores${query}`));
      expect(page.status).toBe(200);
      for (const store of page.body.stores) seen.add(store.store_id);
      cursor = page.body.pagination.last_item;
    } while (cursor);
    expect(seen.size).toBe(LARGE_STORE_ACCOUNT_STORES);
    const groups = await call(env.sandbox, 'GET', accountPath(LARGE_STORE_ACCOUNT_ID, '/store-groups?size=100'));
    expect(groups.body.store_groups.length).toBeGreaterThan(1);
    expect(groups.body.store_groups.reduce((sum: number, group: { stores: unknown[] }) => sum + group.stores.length, 0)).toBe(300);
  });

  it('uses only merchant category codes of the contract and realistic states', () => {
    const state = createEmptyState();
    seedState(state, { accounts: 25, seed: SEED, now: Date.now() });
    const accounts = [...state.accounts.values()];
    const products = accounts.flatMap((record) => [...record.products.values()]);
    expect(products.filter((product) => product.state !== 'ENABLED').length).toBeGreaterThan(0);
    expect(products.filter((product) => product.state === 'ENABLED').length).toBeGreaterThan(products.length / 2);
    expect(Math.max(...accounts.map((record) => record.stores.size))).toBe(300);
    for (const product of products) {
      for (const paymentAccount of product.payment_accounts ?? []) expect(paymentAccount.default_merchant_category_code).toMatch(/^\d{4}$/);
    }
  });
});

describe('seed: determinism and cost', () => {
  let second: Sandbox | undefined;
  afterAll(() => second?.close());

  it('produces the same portfolio from the same seed, and another from another seed', async () => {
    second = await startSandbox({ accounts: 6, seed: SEED });
    for (const id of portfolioAccountIds(SEED, 6)) {
      const expand = '?expand=products,brands,store_groups.stores,partner_busines_entities';
      const [one, two] = await Promise.all([call(env.sandbox, 'GET', accountPath(id, expand)), call(second, 'GET', accountPath(id, expand))]);
      expect(two.body).toEqual(one.body);
    }
    const other = portfolioAccountIds(SEED + 1, 6);
    expect(other[0]).toBe(LARGE_STORE_ACCOUNT_ID);
    expect(other.slice(1).filter((id) => portfolioAccountIds(SEED, 6).includes(id))).toEqual([]);
    expect(portfolioAccountIds(SEED, 25).slice(0, 6)).toEqual(portfolioAccountIds(SEED, 6));
  });
});

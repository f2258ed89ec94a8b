/** onboardMerchant / migrateMerchant against the sandbox: the account appears, then becomes OPERATIONAL. */
import { describe, expect, it } from 'vitest';
import { admin } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { ONBOARD_MUTATION, onboardingInput } from '../utils/onboarding.ts';
import { ONBOARD_MUTATION as EXAMPLE_MUTATION, ONBOARD_VARIABLES } from '../../src/examples.ts';

const ACCOUNT = `query($id: ID!) { account(id: $id) { state stateReason name brands { edges { node { displayName } } } stores { edges { node { url } } } } }`;

describe('onboardMerchant', () => {
  const context = useGateway({ sandbox: { onboardingDelayMs: 60_000 } });

  it('creates the account PARTIALLY_OPERATIONAL; Klarna completes it to OPERATIONAL later', async () => {
    const input = onboardingInput(context.sandbox);
    const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, ONBOARD_MUTATION, { input }));
    const payload = result.body.data.onboardMerchant;
    expect(payload.__typename).toBe('OnboardMerchantPayload');
    expect(payload.account).toMatchObject({ name: input.name, reference: input.reference, state: 'PARTIALLY_OPERATIONAL', stateReason: 'INITIAL_SETUP' });
    expect(payload.account.contact.email).toBe(input.contact.email);
    expect(byOperation.onboardPartner).toBe(1);

    const before = await gql(context.gateway, ACCOUNT, { id: payload.account.klarnaId });
    expect(before.body.data.account.brands.edges[0].node.displayName).toBe(input.brands[0]!.displayName);
    expect(before.body.data.account.stores.edges[0].node.url).toBe(input.storeGroups[0]!.stores[0]!.url);
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 60_000 });
    const after = await gql(context.gateway, ACCOUNT, { id: payload.account.klarnaId });
    expect(after.body.data.account).toMatchObject({ state: 'OPERATIONAL', stateReason: 'SETUP_COMPLETE' });
  });

  it('runs the onboarding example of GraphiQL and the README as written', async () => {
    const { body } = await gql(context.gateway, EXAMPLE_MUTATION, ONBOARD_VARIABLES);
    expect(body.data.onboardMerchant).toMatchObject({ __typename: 'OnboardMerchantPayload', account: { name: 'Nordic Coffee Roasters', state: 'PARTIALLY_OPERATIONAL' } });
  });

  it('refuses invalid onboarding input field by field, without any upstream call', async () => {
    const base = onboardingInput(context.sandbox);
    const cases: [Record<string, unknown>, string][] = [
      [{ businessEntities: [...base.businessEntities, { ...base.businessEntities[0], reference: 'entity-2' }] }, 'input.businessEntities'],
      [{ brands: [] }, 'input.brands'],
      [{ paymentProduct: { ...base.paymentProduct, paymentAccounts: [{ ...base.paymentProduct.paymentAccounts[0], businessEntityReference: 'nope' }] } }, 'input.paymentProduct.paymentAccounts.0.businessEntityReference'],
      [{ paymentProduct: { ...base.paymentProduct, paymentAccounts: [{ ...base.paymentProduct.paymentAccounts[0], defaultStoreGroupReference: 'nope' }] } }, 'input.paymentProduct.paymentAccounts.0.defaultStoreGroupReference'],
      [{ paymentProduct: { ...base.paymentProduct, paymentAccounts: [{ ...base.paymentProduct.paymentAccounts[0], defaultMerchantCategoryCode: '0000' }] } }, 'input.paymentProduct.paymentAccounts.0.defaultMerchantCategoryCode'],
      [{ storeGroups: [{ ...base.storeGroups[0], brandReference: 'nope' }] }, 'input.storeGroups.0.brandReference'],
      [{ storeGroups: [{ ...base.storeGroups[0], stores: [{ reference: 'w', type: 'WEBSITE', url: 'not a url' }] }] }, 'input.storeGroups.0.stores.0.url'],
      [{ contact: { email: 'not-an-email' } }, 'input.contact.email'],
      [{ businessEntities: [{ ...base.businessEntities[0], country: 'se' }] }, 'input.businessEntities.0.country'],
      [{ paymentProduct: { ...base.paymentProduct, paymentProfileId: 'profile-1' } }, 'input.paymentProduct.paymentProfileId'],
      [{ accountCreatedFromIp: '999.1.1.1' }, 'input.accountCreatedFromIp'],
    ];
    for (const [override, path] of cases) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, ONBOARD_MUTATION, { input: { ...base, ...override } }));
      const payload = result.body.data?.onboardMerchant;
      expect(total, path).toBe(0);
      expect(payload?.__typename, path).toBe('ValidationError');
      expect(payload.code).toBe('VALIDATION_FAILED');
      expect(payload.problems.map((p: { path: string }) => p.path), path).toContain(path);
    }
  });

  it('names every problem at once', async () => {
    const base = onboardingInput(context.sandbox);
    const input = { ...base, contact: { email: 'x' }, businessEntities: [{ ...base.businessEntities[0], country: 'se' }] };
    const { body } = await gql(context.gateway, ONBOARD_MUTATION, { input });
    expect(body.data.onboardMerchant.problems.map((p: { path: string }) => p.path).sort()).toEqual(['input.businessEntities.0.country', 'input.contact.email']);
  });

  it('answers ConflictError when the reference is taken', async () => {
    const input = onboardingInput(context.sandbox);
    await gql(context.gateway, ONBOARD_MUTATION, { input });
    const again = await gql(context.gateway, ONBOARD_MUTATION, { input });
    expect(again.body.data.onboardMerchant).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it("maps Klarna's own validation errors into ValidationError", async () => {
    // The gateway allows the contract's store types; Klarna r6 takes websites only.
    const base = onboardingInput(context.sandbox);
    const input = { ...base, storeGroups: [{ ...base.storeGroups[0], stores: [{ reference: 'shop', type: 'PHYSICAL_STORE', url: 'https://shop.example.com' }] }] };
    const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, ONBOARD_MUTATION, { input }));
    expect(byOperation.onboardPartner).toBe(1);
    const payload = result.body.data.onboardMerchant;
    expect(payload.__typename).toBe('ValidationError');
    expect(payload.problems[0].path).toMatch(/store_groups\.0\.stores\.0\.type/);
  });

  it('sends the same idempotency key twice and gets one account', async () => {
    const input = { ...onboardingInput(context.sandbox), idempotencyKey: `onboard-${Date.now()}` };
    const first = await gql(context.gateway, ONBOARD_MUTATION, { input });
    const second = await gql(context.gateway, ONBOARD_MUTATION, { input });
    expect(second.body.data.onboardMerchant.account.klarnaId).toBe(first.body.data.onboardMerchant.account.klarnaId);
    const ledger = await admin<{ idempotencyKey: string; applied: number }[]>(context.sandbox, 'GET', '/ledger');
    expect(ledger.filter((entry) => entry.idempotencyKey === input.idempotencyKey)).toEqual([expect.objectContaining({ applied: 1 })]);
  });

  it('migrates a legacy merchant, brands optional', async () => {
    const { brands: _brands, ...input } = onboardingInput(context.sandbox);
    const stores = [{ ...input.storeGroups[0], brandReference: null }];
    const mutation = `mutation($input: MigrateMerchantInput!) { migrateMerchant(input: $input) { __typename ... on MigrateMerchantPayload { account { state reference } } ... on ValidationError { problems { path message } } } }`;
    const { body } = await gql(context.gateway, mutation, { input: { ...input, storeGroups: stores, paymentProduct: { ...input.paymentProduct, legacyMerchantId: 'M-12345' } } });
    expect(body.data.migrateMerchant).toMatchObject({ __typename: 'MigrateMerchantPayload', account: { reference: input.reference } });
  });
});

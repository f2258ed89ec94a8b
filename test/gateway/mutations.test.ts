/** Every write mutation against the sandbox: the happy path, the state read back, typed errors. */
import { SignJWT, generateKeyPair } from 'jose';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_BRAND_ID, DOCS_ENTITY_ID, DOCS_PAYMENT_ACCOUNT_ID, DOCS_STORE_GROUP_ID, DOCS_STORE_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { admin, call } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const outcome = `__typename ... on UserError { code message } ... on ValidationError { problems { path message } } ... on RateLimitedError { retryAfter }`;
const run = async (context: { gateway: Parameters<typeof gql>[0] }, name: string, input: Record<string, unknown>, selection: string, type: string) => {
  const mutation = `mutation($input: ${type}!) { ${name}(input: $input) { ${outcome} ${selection} } }`;
  const { body } = await gql(context.gateway, mutation, { input });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data[name];
};

describe('account mutations', () => {
  const context = useGateway({ sandbox: { onboardingDelayMs: 1_000 } });
  const id = portfolioAccountIds(20_250_101, 3)[2]!;

  it('updateAccount changes the name, and a second update in the same operation reads the first one fresh', async () => {
    const mutation = `mutation($id: ID!) {
      a: updateAccount(input: { accountId: $id, name: "First Name AB" }) { ... on UpdateAccountPayload { account { name } } }
      b: updateAccount(input: { accountId: $id, reference: "ref-two" }) { ... on UpdateAccountPayload { account { name reference } } }
    }`;
    const { body } = await gql(context.gateway, mutation, { id });
    expect(body.data.a.account.name).toBe('First Name AB');
    expect(body.data.b.account).toEqual({ name: 'First Name AB', reference: 'ref-two' });
    const read = await gql(context.gateway, `query($id: ID!) { account(id: $id) { name reference } }`, { id });
    expect(read.body.data.account).toEqual({ name: 'First Name AB', reference: 'ref-two' });
  });

  it('updateAccount needs something to change, checked before any call', async () => {
    const { result, total } = await countCalls(context.sandbox, () =>
      gql(context.gateway, `mutation { updateAccount(input: { accountId: "${id}" }) { ${outcome} } }`),
    );
    expect(total).toBe(0);
    expect(result.body.data.updateAccount.problems[0].path).toBe('input.name');
  });

  it('updateBrand, updateStore, updateStoreGroup, updateBusinessEntity and updatePaymentAccount change what they name', async () => {
    const brand = await run(context, 'updateBrand', { accountId: ACCOUNT, brandId: DOCS_BRAND_ID, reference: 'brand-new-ref', displayName: 'Renamed Brand' }, '... on UpdateBrandPayload { brand { displayName reference } }', 'UpdateBrandInput');
    expect(brand.brand).toEqual({ displayName: 'Renamed Brand', reference: 'brand-new-ref' });

    const store = await run(context, 'updateStore', { accountId: ACCOUNT, storeId: DOCS_STORE_ID, reference: 'store-x', type: 'WEBSITE', url: 'https://renamed.example.com' }, '... on UpdateStorePayload { store { url reference } }', 'UpdateStoreInput');
    expect(store.store).toEqual({ url: 'https://renamed.example.com', reference: 'store-x' });

    const group = await run(
      context,
      'updateStoreGroup',
      { accountId: ACCOUNT, storeGroupId: DOCS_STORE_GROUP_ID, group: { reference: 'group-x', supportContact: { email: 'help@example.com' }, stores: [{ reference: 'store-x', type: 'WEBSITE', url: 'https://kept.example.com' }, { reference: 'store-new', type: 'WEBSITE', url: 'https://added.example.com' }] } },
      '... on UpdateStoreGroupPayload { storeGroup { reference supportContact { email } stores { edges { node { reference klarnaId } } } } }',
      'UpdateStoreGroupInput',
    );
    expect(group.storeGroup.reference).toBe('group-x');
    const stores = group.storeGroup.stores.edges.map((e: any) => e.node);
    expect(stores.map((s: any) => s.reference)).toEqual(['store-x', 'store-new']);
    expect(stores[0].klarnaId).toBe(DOCS_STORE_ID);

    const entity = await run(context, 'updateBusinessEntity', { accountId: ACCOUNT, businessEntityId: DOCS_ENTITY_ID, legalRegistration: { number: '556000-0000', entityType: 'LIMITED_LIABILITY_COMPANY' } }, '... on UpdateBusinessEntityPayload { businessEntity { legalRegistration { number entityType } } }', 'UpdateBusinessEntityInput');
    expect(entity.businessEntity.legalRegistration).toEqual({ number: '556000-0000', entityType: 'LIMITED_LIABILITY_COMPANY' });

    const paymentAccount = await run(context, 'updatePaymentAccount', { accountId: ACCOUNT, paymentAccountId: DOCS_PAYMENT_ACCOUNT_ID, defaultMerchantCategoryCode: '5999' }, '... on UpdatePaymentAccountPayload { paymentAccount { defaultMerchantCategoryCode } }', 'UpdatePaymentAccountInput');
    expect(paymentAccount.paymentAccount.defaultMerchantCategoryCode).toBe('5999');
  });

  it('answers NotFoundError for an unknown brand and refuses an unknown MCC without a call', async () => {
    const missing = await run(context, 'updateBrand', { accountId: ACCOUNT, brandId: 'krn:partner:global:account:brand:00000000-0000-0000-0000-000000000000', reference: 'r', displayName: 'd' }, '', 'UpdateBrandInput');
    expect(missing).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const { result, total } = await countCalls(context.sandbox, () =>
      gql(context.gateway, `mutation { updatePaymentAccount(input: { accountId: "${ACCOUNT}", paymentAccountId: "${DOCS_PAYMENT_ACCOUNT_ID}", defaultMerchantCategoryCode: "1234" }) { ${outcome} } }`),
    );
    expect(total).toBe(0);
    expect(result.body.data.updatePaymentAccount.problems[0].path).toBe('input.defaultMerchantCategoryCode');
  });

  it('answers RateLimitedError with retryAfter when Klarna limits writes', async () => {
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'updateAccount', errorRates: { 429: 1 }, times: 1, retryAfterSeconds: 30 });
    const limited = await run(context, 'updateAccount', { accountId: id, name: 'Limited' }, '', 'UpdateAccountInput');
    expect(limited).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED', retryAfter: 30 });
  });

  it('refuses mutations over GET', async () => {
    const query = encodeURIComponent(`mutation { updateAccount(input: { accountId: "${id}", name: "x" }) { __typename } }`);
    const response = await request(`${context.gateway.graphqlUrl}?query=${query}`, { headers: { accept: 'application/graphql-response+json' } });
    expect(response.statusCode).toBe(405);
    await response.body.dump();
  });
});

describe('loaders after a write', () => {
  const context = useGateway();

  it('a write refreshes the loaders the rest of the operation reads through (not a copy the resolvers never see)', async () => {
    const stores = `account { stores(first: 50) { edges { node { klarnaId reference } } } }`;
    const mutation = `mutation($account: ID!, $store: ID!) {
      before: updateAccount(input: { accountId: $account, name: "Before Write" }) { ... on UpdateAccountPayload { ${stores} } }
      write: updateStore(input: { accountId: $account, storeId: $store, reference: "store-after-write", type: WEBSITE, url: "https://after.example.com" }) { ... on UpdateStorePayload { store { reference } } }
      after: updateAccount(input: { accountId: $account, name: "After Write" }) { ... on UpdateAccountPayload { ${stores} } }
    }`;
    const { body } = await gql(context.gateway, mutation, { account: ACCOUNT, store: DOCS_STORE_ID });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const referenceOf = (payload: any) => payload.account.stores.edges.find((edge: any) => edge.node.klarnaId === DOCS_STORE_ID)?.node.reference;
    expect(body.data.write.store.reference).toBe('store-after-write');
    expect(referenceOf(body.data.before)).not.toBe('store-after-write');
    expect(referenceOf(body.data.after)).toBe('store-after-write');
  });
});

describe('payment product mutations', () => {
  const context = useGateway();
  /** An account of the demo partner whose payment product is enabled, by position. */
  const enabledAccount = (index: number) =>
    [...context.sandbox.state.accounts.values()].filter(
      (record) => record.ownerId === DEMO_CREDENTIALS.principalId && [...record.products.values()][0]?.state === 'ENABLED',
    )[index]!.account.partner_account_id;
  const selection = '... on PaymentProductStatePayload { paymentProduct { state stateReason stateContext { reason reasonDetails } } account { klarnaId paymentProducts { state } } }';

  it('disablePaymentProduct answers the product DISABLED with its reason and the account read after the change; enable restores it', async () => {
    const id = enabledAccount(1);
    const disabled = await run(context, 'disablePaymentProduct', { accountId: id, reason: 'FRAUD', reasonDetails: 'Chargebacks spiked' }, selection, 'DisablePaymentProductInput');
    expect(disabled.paymentProduct).toEqual({ state: 'DISABLED', stateReason: 'FRAUD_BY_PARTNER', stateContext: { reason: 'FRAUD', reasonDetails: 'Chargebacks spiked' } });
    expect(disabled.account).toEqual({ klarnaId: id, paymentProducts: [{ state: 'DISABLED' }] });
    const enabled = await run(context, 'enablePaymentProduct', { accountId: id }, selection, 'EnablePaymentProductInput');
    expect(enabled.paymentProduct.state).toBe('ENABLED');
    expect(enabled.account.paymentProducts[0].state).toBe('ENABLED');
  });

  it('refuses reason details over 500 characters without a call', async () => {
    const id = enabledAccount(1);
    const { result, total } = await countCalls(context.sandbox, () =>
      gql(context.gateway, `mutation($input: DisablePaymentProductInput!) { disablePaymentProduct(input: $input) { ${outcome} } }`, { input: { accountId: id, reason: 'VOLUNTARY', reasonDetails: 'x'.repeat(501) } }),
    );
    expect(total).toBe(0);
    expect(result.body.data.disablePaymentProduct.problems).toEqual([{ path: 'input.reasonDetails', message: 'must be at most 500 characters' }]);
  });

  it('answers ForbiddenError when enabling a product Klarna terminated', async () => {
    const terminated = enabledAccount(2);
    await admin(context.sandbox, 'POST', '/compliance-decisions', { partner_account_id: terminated, decision_type: 'FRAUDULENT_BEHAVIOUR', action: 'TERMINATE' });
    const result = await run(context, 'enablePaymentProduct', { accountId: terminated }, '', 'EnablePaymentProductInput');
    expect(result).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });
});

describe('credential mutations', () => {
  const context = useGateway();

  it('createApiKey answers the secret once, with Cache-Control: no-store, and the key works at Klarna', async () => {
    const mutation = `mutation { createApiKey(input: { description: "ops dashboard" }) { ... on CreateApiKeyPayload { secret credential { klarnaId status type description } } } }`;
    const result = await gql(context.gateway, mutation);
    const payload = result.body.data.createApiKey;
    expect(result.headers['cache-control']).toBe('no-store');
    expect(payload.credential).toMatchObject({ status: 'ENABLED', type: 'API', description: 'ops dashboard' });
    expect(payload.secret).toMatch(/^klarna_(test|live)_api_/);
    expect((await call(context.sandbox, 'GET', `/v2/accounts/${encodeURIComponent(ACCOUNT)}`, { apiKey: payload.secret })).status).toBe(200);

    const keys = await gql(context.gateway, `{ apiKeys { klarnaId } }`);
    expect(JSON.stringify(keys.body)).not.toContain(payload.secret);

    const renamed = await run(context, 'updateApiKey', { credentialId: payload.credential.klarnaId, description: 'renamed key' }, '... on CredentialPayload { credential { description } }', 'UpdateCredentialInput');
    expect(renamed.credential.description).toBe('renamed key');
    const disabled = await run(context, 'disableApiKey', { credentialId: payload.credential.klarnaId }, '... on CredentialPayload { credential { status } }', 'DisableCredentialInput');
    expect(disabled.credential.status).toBe('DISABLED');
    expect((await call(context.sandbox, 'GET', `/v2/accounts/${encodeURIComponent(ACCOUNT)}`, { apiKey: payload.secret })).status).toBe(401);
  });

  it('refuses a bad description, a bad credential id, and a client id where an API key is expected, without calls', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['createApiKey', { description: 'no <html> here' }, 'CreateCredentialInput', 'input.description'],
      ['updateApiKey', { credentialId: 'krn:nope', description: 'ok' }, 'UpdateCredentialInput', 'input.credentialId'],
      ['disableApiKey', { credentialId: 'krn:partner:global:live:credential:client:9a3f0c2e-4a5b-4c6d-8e7f-0a1b2c3d4e5f' }, 'DisableCredentialInput', 'input.credentialId'],
      ['revokeClientCertificate', { credentialId: 'krn:partner:global:live:credential:client_cert:ABC', revokedFrom: 'yesterday' }, 'RevokeClientCertificateInput', 'revokedFrom'],
    ];
    for (const [name, input, type, path] of cases) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, `mutation($input: ${type}!) { ${name}(input: $input) { ${outcome} } }`, { input }));
      expect(total, name).toBe(0);
      const answer = result.body.data?.[name] ?? result.body.errors?.[0];
      expect(JSON.stringify(answer), name).toContain(path.replace('input.', ''));
    }
  });

  it('createClientIdentifier answers its client id, update and disable change it; revokeClientCertificate disables a certificate', async () => {
    const client = await run(context, 'createClientIdentifier', { description: 'web checkout' }, '... on CredentialPayload { credential { klarnaId type clientId } }', 'CreateCredentialInput');
    expect(client.credential.type).toBe('CLIENT');
    expect(client.credential.clientId).toMatch(/^klarna_(test|live)_client_/);
    const clientId = client.credential.klarnaId;
    const renamed = await run(context, 'updateClientIdentifier', { credentialId: clientId, description: 'mobile checkout' }, '... on CredentialPayload { credential { description } }', 'UpdateCredentialInput');
    expect(renamed.credential.description).toBe('mobile checkout');
    const disabled = await run(context, 'disableClientIdentifier', { credentialId: clientId }, '... on CredentialPayload { credential { status } }', 'DisableCredentialInput');
    expect(disabled.credential.status).toBe('DISABLED');
    const listed = await gql(context.gateway, `{ clientIdentifiers { klarnaId status } }`);
    expect(listed.body.data.clientIdentifiers).toContainEqual({ klarnaId: clientId, status: 'DISABLED' });
    const certificate = [...context.sandbox.state.credentials.values()].find((r) => r.ownerId === DEMO_CREDENTIALS.principalId && r.credential.type === 'CLIENT_CERT')!;
    const revoked = await run(context, 'revokeClientCertificate', { credentialId: certificate.credential.credential_id, revokedFrom: new Date(Date.now() - 1000).toISOString() }, '... on CredentialPayload { credential { status type } }', 'RevokeClientCertificateInput');
    expect(revoked.credential).toEqual({ status: 'DISABLED', type: 'CLIENT_CERT' });
  });
});

describe('portal access mutations', () => {
  const context = useGateway();
  const token = async (claims: Record<string, unknown>) => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ account_id: ACCOUNT, roles: ['merchant:admin'], ...claims })
      .setProtectedHeader({ alg: 'RS256', x5c: ['MIIBfake'] })
      .setIssuer(DEMO_CREDENTIALS.principalId)
      .setSubject('ops@example.com')
      .setJti(`jti-${Math.random()}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  };
  const selection = '... on GrantPortalAccessPayload { outcome accountId userEmail roles }';

  it('grants access (CREATED), updates it (UPDATED), and revokes it', async () => {
    const created = await run(context, 'grantPortalAccess', { jwt: await token({ inactivity_grace_period: 'P30D' }) }, selection, 'GrantPortalAccessInput');
    expect(created).toMatchObject({ outcome: 'CREATED', accountId: ACCOUNT, userEmail: 'ops@example.com', roles: ['merchant:admin'] });
    const updated = await run(context, 'grantPortalAccess', { jwt: await token({ roles: ['merchant:developer'] }) }, selection, 'GrantPortalAccessInput');
    expect(updated.outcome).toBe('UPDATED');
    const revoked = await run(context, 'revokePortalAccess', { principal: 'ops@example.com' }, '... on RevokePortalAccessPayload { principal }', 'RevokePortalAccessInput');
    expect(revoked.principal).toBe('ops@example.com');
  });

  it('refuses a token Klarna would refuse, claim by claim, without calls', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ inactivity_grace_period: 'P7M' }, 'input.jwt.inactivity_grace_period'],
      [{ inactivity_grace_period: 'PT12H' }, 'input.jwt.inactivity_grace_period'],
      [{ expires_at: '2020-01-01' }, 'input.jwt.expires_at'],
      [{ roles: [] }, 'input.jwt.roles'],
      [{ account_id: 'LWT2XJSE' }, 'input.jwt.account_id'],
    ];
    for (const [claims, path] of cases) {
      const { result, total } = await countCalls(context.sandbox, async () => gql(context.gateway, `mutation($input: GrantPortalAccessInput!) { grantPortalAccess(input: $input) { ${outcome} } }`, { input: { jwt: await token(claims) } }));
      expect(total, path).toBe(0);
      expect(result.body.data.grantPortalAccess.problems.map((p: { path: string }) => p.path), path).toContain(path);
    }
    const revoke = await run(context, 'revokePortalAccess', {}, '', 'RevokePortalAccessInput');
    expect(revoke.problems[0].path).toBe('input.accountId');
  });
});

describe('card order mutations', () => {
  const context = useGateway({ sandbox: { cancellationDelayMs: 60_000 } });

  it('promises cards, settles the order encrypted for the key, then cancels it through PENDING to CANCELLED', async () => {
    const orderId = `order-${Date.now()}`;
    const promise = await run(context, 'createCardPromise', { orderId, cards: [{ reference: 'card-1', amount: 12_500, currency: 'EUR' }] }, '... on CreateCardPromisePayload { promiseId expiresAt promise { cards { amount currency } } }', 'CreateCardPromiseInput');
    expect(promise.promise.cards).toEqual([{ amount: 12_500, currency: 'EUR' }]);

    const settled = await gql(context.gateway, `mutation($input: CreateCardSettlementInput!) { createCardSettlement(input: $input) { ${outcome} ... on CreateCardSettlementPayload { settlement { keyId cards { amount currency encrypted { pciData iv aesKey } } } } } }`, {
      input: { orderId, keyId: DEMO_CREDENTIALS.keyId },
    });
    expect(settled.headers['cache-control']).toBe('no-store');
    const card = settled.body.data.createCardSettlement.settlement.cards[0];
    expect(card).toMatchObject({ amount: 12_500, currency: 'EUR' });
    expect(card.encrypted.pciData).toMatch(/^[A-Za-z0-9+/=]{16,}$/);

    const cancellation = await run(context, 'requestOrderCancellation', { orderId }, '... on RequestOrderCancellationPayload { cancellation { status checkAfter } }', 'RequestOrderCancellationInput');
    expect(cancellation.cancellation.status).toBe('PENDING');
    expect(Date.parse(cancellation.cancellation.checkAfter)).toBeGreaterThan(Date.now());
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 61_000 });
    const read = await gql(context.gateway, `query($id: ID!) { cardOrder(orderId: $id) { cancellation { status } } }`, { id: orderId });
    expect(read.body.data.cardOrder.cancellation.status).toBe('CANCELLED');
    const again = await run(context, 'requestOrderCancellation', { orderId }, '... on RequestOrderCancellationPayload { cancellation { status } }', 'RequestOrderCancellationInput');
    expect(again.cancellation.status).toBe('CANCELLED');
  });

  it('follows a cancellation to REJECTED with its reason when the card is in use', async () => {
    const { order_id: orderId } = await admin(context.sandbox, 'POST', '/card-orders', { amount: 4_000, currency: 'SEK' });
    await run(context, 'createCardSettlement', { orderId, keyId: DEMO_CREDENTIALS.keyId }, '', 'CreateCardSettlementInput');
    const pending = await run(context, 'requestOrderCancellation', { orderId }, '... on RequestOrderCancellationPayload { cancellation { status } }', 'RequestOrderCancellationInput');
    expect(pending.cancellation.status).toBe('PENDING');
    await admin(context.sandbox, 'POST', `/card-orders/${orderId}/card-in-use`);
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 61_000 });
    const read = await gql(context.gateway, `query($id: ID!) { cardOrder(orderId: $id) { cancellation { status reasonCode reasonMessage } } }`, { id: orderId });
    expect(read.body.data.cardOrder.cancellation).toMatchObject({ status: 'REJECTED', reasonCode: 'CARD_IN_USE' });
  });

  it('refuses bad cards without a call', async () => {
    const card = { reference: 'c', amount: 100, currency: 'EUR' };
    const cases: [unknown[], string][] = [
      [[], 'input.cards'],
      [Array.from({ length: 1001 }, (_, i) => ({ ...card, reference: `c${i}` })), 'input.cards'],
      [[{ ...card, amount: 0 }], 'input.cards.0.amount'],
      [[{ ...card, currency: 'eur' }], 'input.cards.0.currency'],
      [[{ ...card, reference: '' }], 'input.cards.0.reference'],
    ];
    for (const [cards, path] of cases) {
      const { result, total } = await countCalls(context.sandbox, () => gql(context.gateway, `mutation($input: CreateCardPromiseInput!) { createCardPromise(input: $input) { ${outcome} } }`, { input: { orderId: 'o-1', cards } }));
      expect(total, path).toBe(0);
      expect(result.body.data.createCardPromise.problems.map((p: { path: string }) => p.path), path).toContain(path);
    }
  });

  it('answers NotFoundError for cancelling an order without a card settlement', async () => {
    const result = await run(context, 'requestOrderCancellation', { orderId: 'no-such-order' }, '', 'RequestOrderCancellationInput');
    expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });
});

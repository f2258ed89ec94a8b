/** Payment products: list, disable, enable, and the webhooks and payment account states that follow. */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { admin, call, seg, useSandbox } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const PRODUCT = 'krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918';
const products = `/v2/accounts/${seg(ACCOUNT)}/products/payment`;

type Event = { metadata: { event_type: string; product_instance_id?: string; subject_account_id: string }; payload: Record<string, unknown> };

describe('payment products', () => {
  const context = useSandbox();
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');
  const events = () => admin<Event[]>(context.sandbox, 'GET', '/webhooks/events');
  const productEvents = async (productId: string) =>
    (await events()).filter((event) => event.metadata.product_instance_id === productId && event.metadata.event_type.includes('.product.payment.'));

  /** Another account of the demo partner than the docs' sample, so tests do not share product state. */
  function otherAccount(): { accountId: string; productId: string } {
    const ownerId = context.sandbox.state.principalBySecret.get(DEMO_CREDENTIALS.apiKey);
    for (const record of context.sandbox.state.accounts.values()) {
      const product = record.products.values().next().value;
      if (record.ownerId === ownerId && record.account.partner_account_id !== ACCOUNT && product?.state === 'ENABLED') {
        return { accountId: record.account.partner_account_id, productId: product.product_id };
      }
    }
    throw new Error('the seed has no second account with an enabled product');
  }

  it("lists the account's payment products as a plain array", async () => {
    const response = await call(context.sandbox, 'GET', products);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([expect.objectContaining({ product_id: PRODUCT, type: 'PAYMENT', state: 'ENABLED', state_reason: 'APPROVED' })]);
  });

  it('disables for FRAUD with the state context, disables the payment accounts and emits the disabled webhook', async () => {
    const before = await ledger();
    const response = await call(context.sandbox, 'POST', `${products}/${seg(PRODUCT)}/disable`, {
      body: { reason: 'FRAUD', reason_details: 'Fraudulent activity detected' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      product_id: PRODUCT,
      state: 'DISABLED',
      state_reason: 'FRAUD_BY_PARTNER',
      state_context: { reason: 'FRAUD', reason_details: 'Fraudulent activity detected', updated_at: expect.any(String) },
    });
    expect(response.body.payment_accounts.length).toBeGreaterThan(0);
    for (const account of response.body.payment_accounts) expect(account.status).toBe('DISABLED');
    expect(await ledger()).toEqual([...before, { operationId: 'disablePaymentProduct', idempotencyKey: null, target: PRODUCT, applied: 1 }]);

    const [listed] = (await call(context.sandbox, 'GET', products)).body;
    expect(listed).toMatchObject({ state: 'DISABLED', state_reason: 'FRAUD_BY_PARTNER' });
    const paymentAccountId = listed.payment_accounts[0].payment_account_id;
    const paymentAccount = await call(context.sandbox, 'GET', `${products}/default/payment-accounts/${seg(paymentAccountId)}`);
    expect(paymentAccount.body.status).toBe('DISABLED');

    const [event] = await productEvents(PRODUCT);
    expect(event?.metadata).toMatchObject({ event_type: 'partner.account.product.payment.state-change.disabled', subject_account_id: ACCOUNT });
    expect(event?.payload).toMatchObject({ partner_account_id: ACCOUNT, product_id: PRODUCT, state: 'DISABLED', state_reason: 'FRAUD_BY_PARTNER' });
  });

  it('treats disabling a disabled product as done: 200, unchanged, no webhook, nothing applied', async () => {
    const before = await ledger();
    const eventsBefore = await productEvents(PRODUCT);
    const response = await call(context.sandbox, 'POST', `${products}/default/disable`, { body: { reason: 'VOLUNTARY', reason_details: 'again' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ state: 'DISABLED', state_reason: 'FRAUD_BY_PARTNER', state_context: { reason: 'FRAUD' } });
    expect(await ledger()).toEqual(before);
    expect(await productEvents(PRODUCT)).toEqual(eventsBefore);
  });

  it("enables through the 'default' alias: ENABLED / APPROVED, payment accounts enabled, enabled webhook", async () => {
    const response = await call(context.sandbox, 'POST', `${products}/default/enable`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ product_id: PRODUCT, state: 'ENABLED', state_reason: 'APPROVED' });
    expect(response.body).not.toHaveProperty('state_context');
    for (const account of response.body.payment_accounts) expect(account.status).toBe('ENABLED');
    const last = (await productEvents(PRODUCT)).at(-1);
    expect(last?.metadata.event_type).toBe('partner.account.product.payment.state-change.enabled');
    expect(last?.payload).toMatchObject({ state: 'ENABLED', state_reason: 'APPROVED' });
  });

  it('disables for VOLUNTARY reasons as VOLUNTARY_BY_PARTNER', async () => {
    const response = await call(context.sandbox, 'POST', `${products}/default/disable`, { body: { reason: 'VOLUNTARY', reason_details: 'Closing the shop' } });
    expect(response.body).toMatchObject({ state: 'DISABLED', state_reason: 'VOLUNTARY_BY_PARTNER', state_context: { reason: 'VOLUNTARY' } });
    await call(context.sandbox, 'POST', `${products}/default/enable`);
  });

  it('rejects a reason outside FRAUD|VOLUNTARY and reason_details over 500 characters, changing nothing', async () => {
    const before = await ledger();
    const badReason = await call(context.sandbox, 'POST', `${products}/default/disable`, { body: { reason: 'BORED', reason_details: 'x' } });
    expect(badReason.status).toBe(400);
    expect(badReason.body).toMatchObject({ error_code: 'VALIDATION_ERROR', validation_errors: [expect.objectContaining({ parameter: 'body.reason' })] });
    const tooLong = await call(context.sandbox, 'POST', `${products}/default/disable`, { body: { reason: 'FRAUD', reason_details: 'x'.repeat(501) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.reason_details' })]);
    const exactly500 = 'y'.repeat(500);
    expect(await ledger()).toEqual(before);
    expect((await call(context.sandbox, 'GET', products)).body[0].state).toBe('ENABLED');
    const accepted = await call(context.sandbox, 'POST', `${products}/default/disable`, { body: { reason: 'FRAUD', reason_details: exactly500 } });
    expect(accepted.body.state_context.reason_details).toBe(exactly500);
    await call(context.sandbox, 'POST', `${products}/default/enable`);
  });

  it('forbids enabling a product Klarna terminated (403 OPERATION_FORBIDDEN)', async () => {
    const { accountId, productId } = otherAccount();
    await admin(context.sandbox, 'POST', '/compliance-decisions', { partner_account_id: accountId, decision_type: 'FRAUDULENT_BEHAVIOUR', action: 'TERMINATE' });
    const path = `/v2/accounts/${seg(accountId)}/products/payment/${seg(productId)}`;
    const before = await ledger();
    const response = await call(context.sandbox, 'POST', `${path}/enable`);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'OPERATION_FORBIDDEN' });
    expect(await ledger()).toEqual(before);
    const [product] = (await call(context.sandbox, 'GET', `/v2/accounts/${seg(accountId)}/products/payment`)).body;
    expect(product).toMatchObject({ state: 'TERMINATED', state_reason: 'TERMINATED_BY_KLARNA' });
  });

  it('answers an unknown product, or an account of another partner, with 404', async () => {
    const unknown = await call(context.sandbox, 'POST', `${products}/${seg('krn:partner:global:account:product:payment:nope')}/enable`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error_type: 'RESOURCE_ERROR', error_code: 'RESOURCE_NOT_FOUND' });
    const foreign = await call(context.sandbox, 'GET', products, { apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(foreign.status).toBe(404);
  });

  it('refuses a request without credentials or with an unknown key', async () => {
    expect((await call(context.sandbox, 'GET', products, { apiKey: null })).status).toBe(401);
    expect((await call(context.sandbox, 'POST', `${products}/default/enable`, { apiKey: 'klarna_live_api_wrong' })).status).toBe(401);
  });
});

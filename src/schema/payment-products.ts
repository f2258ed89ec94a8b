/** The payment product of an account (Klarna as a payment method) and its payment accounts. */
import type { PaymentAccount, PaymentProduct } from '../datasources/partner-management.ts';
import { NotFoundError } from '../errors.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { openEnum } from './open-enum.ts';
import { scopedKey, type Scoped } from './scoped.ts';

export const PaymentProductRef = builder.objectRef<Scoped<PaymentProduct>>('PaymentProduct');
export const PaymentAccountRef = builder.objectRef<Scoped<PaymentAccount> & { productId: string }>('PaymentAccount');

export const PaymentProductState = openEnum('PaymentProductState', 'Whether shoppers can pay with Klarna at the merchant.', {
  ENABLED: 'Active.',
  DISABLED: 'Disabled by the partner or by Klarna; the partner can enable it again.',
  TERMINATED: 'Terminated by Klarna (risk, fraud, compliance); only Klarna can re-activate it.',
});

export const PaymentProductStateReason = openEnum('PaymentProductStateReason', 'Why the payment product is in its state.', {
  APPROVED: 'Enabled and approved.',
  FRAUD_BY_PARTNER: 'Disabled by the partner for fraud.',
  VOLUNTARY_BY_PARTNER: 'Disabled by the partner voluntarily.',
  DISABLED_BY_KLARNA: 'Disabled by Klarna.',
  TERMINATED_BY_KLARNA: 'Terminated by Klarna.',
  COMPLIANCE_DECISION: 'Changed by a compliance decision.',
});

const PaymentAccountStatus = openEnum('PaymentAccountStatus', 'Whether the payment account can take payments (mirrors its product).', {
  ENABLED: 'Takes payments.',
  DISABLED: 'Takes no payments.',
});

const StateContextRef = builder.simpleObject('PaymentProductStateContext', {
  description: 'Why a payment product was disabled or terminated.',
  fields: (t) => ({
    reason: t.string({ nullable: true, description: 'FRAUD or VOLUNTARY when the partner disabled it.' }),
    reasonDetails: t.string({ nullable: true, description: 'Free-text details given with the change.' }),
    decisionId: t.string({ nullable: true, description: 'The compliance decision behind a change by Klarna (KRN).' }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the state changed.' }),
  }),
});

builder.node(PaymentAccountRef, {
  description: 'Where payments of one business entity settle, with its default merchant category code.',
  id: { resolve: (account) => scopedKey(account.accountId, `${account.productId} ${account.payment_account_id}`) },
  loadOne: async (key, context) => {
    const [accountId = '', productId = '', id = ''] = nodeKeyParts('PaymentAccount', key);
    const paymentAccount = await context.loaders.paymentAccount.load({ accountId, productId, id });
    return { ...paymentAccount, accountId, productId };
  },
  fields: (t) => ({
    klarnaId: t.exposeString('payment_account_id', { description: "Klarna's identifier (KRN) of the payment account." }),
    reference: t.string({ nullable: true, description: "The partner's own reference.", resolve: (a) => a.payment_account_reference ?? null }),
    status: t.field({ type: PaymentAccountStatus.ref, nullable: true, description: 'Whether it takes payments.', resolve: (a) => (a.status ? PaymentAccountStatus.from(a.status) : null) }),
    statusRaw: t.string({ nullable: true, description: 'Status as Klarna sent it.', resolve: (a) => a.status ?? null }),
    defaultMerchantCategoryCode: t.string({ nullable: true, description: 'Default merchant category code (MCC).', resolve: (a) => a.default_merchant_category_code ?? null }),
    businessEntityId: t.string({ nullable: true, description: 'The business entity it belongs to (KRN).', resolve: (a) => a.partner_business_entity_id ?? null }),
    acquiringAccountId: t.string({ nullable: true, description: "The acquirer's payment acquiring account (KRN).", resolve: (a) => a.payment_acquiring_account_id ?? null }),
    defaultStoreGroupId: t.string({ nullable: true, description: 'Default store group (KRN).', resolve: (a) => a.default_store_group_id ?? null }),
  }),
});

builder.node(PaymentProductRef, {
  description: "Klarna as a payment method at the merchant: its state and the accounts payments settle to.",
  id: { resolve: (product) => scopedKey(product.accountId, product.product_id) },
  loadOne: async (key, context) => {
    const [accountId = '', id = ''] = nodeKeyParts('PaymentProduct', key);
    const product = (await context.loaders.paymentProducts.load(accountId)).find((p) => p.product_id === id);
    if (!product) throw new NotFoundError('The payment product');
    return { ...product, accountId };
  },
  fields: (t) => ({
    klarnaId: t.exposeString('product_id', { description: "Klarna's identifier (KRN) of the product." }),
    state: t.field({ type: PaymentProductState.ref, description: 'Whether shoppers can pay with Klarna.', resolve: (p) => PaymentProductState.from(p.state) }),
    stateRaw: t.exposeString('state', { description: 'State as Klarna sent it.' }),
    stateReason: t.field({
      type: PaymentProductStateReason.ref,
      nullable: true,
      description: 'Why it is in its state.',
      resolve: (p) => (p.state_reason ? PaymentProductStateReason.from(p.state_reason) : null),
    }),
    stateReasonRaw: t.string({ nullable: true, description: 'Reason as Klarna sent it.', resolve: (p) => p.state_reason ?? null }),
    stateContext: t.field({
      type: StateContextRef,
      nullable: true,
      description: 'Details of a disable or termination.',
      resolve: ({ state_context: c }) =>
        c && { reason: c.reason ?? null, reasonDetails: c.reason_details ?? null, decisionId: c.decision_id ?? null, updatedAt: c.updated_at ?? null },
    }),
    paymentProfileId: t.string({ nullable: true, description: 'The payment profile that prices it (KRN).', resolve: (p) => p.payment_profile_id ?? null }),
    paymentAccounts: t.field({
      type: [PaymentAccountRef],
      description: 'Where its payments settle.',
      // Marked in place, as `scope` does: each account object is this request's, under this one product.
      resolve: (p) => (p.payment_accounts ?? []).map((account) => Object.assign(account, { accountId: p.accountId, productId: p.product_id })),
    }),
  }),
});

/**
 * Payment product writes: enable, disable (with a reason) and payment account updates. Each payload
 * carries the changed object and its account, read fresh after the write.
 */
import { z } from 'zod';
import type { PaymentAccount, PaymentProduct } from '../datasources/partner-management.ts';
import { AccountRef } from './accounts.ts';
import { builder } from './builder.ts';
import { ID_RULES, zodId } from './ids.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { PaymentAccountRef, PaymentProductRef } from './payment-products.ts';
import { scope, type Scoped } from './scoped.ts';
import { idempotencyKey, keyFor, krn, mcc, parseInput, reference } from './validation.ts';

const KEY = 'Your key for this write; a retry with the same key is applied once. Generated when absent.';
const PRODUCT = 'The payment product (KRN); default: the account\'s one payment product.';
const productId = zodId(ID_RULES.paymentProduct).default('default');

const DisableReason = builder.enumType('PaymentProductDisableReason', {
  description: 'Why you disable a payment product.',
  values: { FRAUD: { description: 'Fraud by the merchant.' }, VOLUNTARY: { description: 'Any other reason.' } } as const,
});

const PaymentProductInput = builder.inputType('EnablePaymentProductInput', {
  description: 'The payment product to enable.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    productId: t.id({ description: PRODUCT }),
  }),
});
const DisableInput = builder.inputType('DisablePaymentProductInput', {
  description: 'The payment product to disable, and why.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    productId: t.id({ description: PRODUCT }),
    reason: t.field({ type: DisableReason, required: true, description: 'FRAUD or VOLUNTARY.' }),
    reasonDetails: t.string({ required: true, description: 'Details for Klarna (at most 500 characters).' }),
  }),
});
const UpdatePaymentAccountInput = builder.inputType('UpdatePaymentAccountInput', {
  description: "A payment account's reference or default merchant category code.",
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    productId: t.id({ description: PRODUCT }),
    paymentAccountId: t.id({ required: true, description: 'The payment account (KRN).' }),
    reference: t.string({ description: 'New reference.' }),
    defaultMerchantCategoryCode: t.string({ description: 'New default MCC, e.g. 5411.' }),
  }),
});

const baseSchema = { idempotencyKey: idempotencyKey.nullish(), accountId: krn, productId };
const enableSchema = z.object(baseSchema);
const disableSchema = z.object({
  ...baseSchema,
  reason: z.enum(['FRAUD', 'VOLUNTARY']),
  reasonDetails: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
});
const updatePaymentAccountSchema = z
  .object({ ...baseSchema, paymentAccountId: krn, reference: reference.nullish(), defaultMerchantCategoryCode: mcc.nullish() })
  .refine((input) => input.reference || input.defaultMerchantCategoryCode, { message: 'give reference or defaultMerchantCategoryCode', path: ['reference'] });

const ProductPayload = builder.objectRef<{ product: Scoped<PaymentProduct> }>('PaymentProductStatePayload').implement({
  description: 'The payment product after the change, and its account, as Klarna now has them.',
  fields: (t) => ({
    paymentProduct: t.field({ type: PaymentProductRef, description: 'The product with its new state, reason and context.', resolve: (p) => p.product }),
    account: t.field({
      type: AccountRef,
      nullable: true,
      description: 'The account the product belongs to, read after the change.',
      resolve: (p, _args, context) => context.loaders.account.load(p.product.accountId, ['products']),
    }),
  }),
});
const PaymentAccountPayload = builder.simpleObject('UpdatePaymentAccountPayload', {
  description: 'The payment account as Klarna now has it.',
  fields: (t) => ({ paymentAccount: t.field({ type: PaymentAccountRef, description: 'The updated payment account.' }) }),
});

builder.mutationFields((t) => ({
  enablePaymentProduct: t.field({
    type: ProductPayload,
    description: 'Enables a disabled payment product (a terminated one only Klarna can re-activate: ForbiddenError).',
    errors: { types: MUTATION_ERRORS, union: { name: 'EnablePaymentProductResult' } },
    args: { input: t.arg({ type: PaymentProductInput, required: true, description: 'The product.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(enableSchema, args.input);
      const product = await context.pm.setPaymentProductState(input.accountId, input.productId, { enable: true }, keyFor(input));
      context.refreshLoaders();
      return { product: scope(input.accountId, product) };
    },
  }),
  disablePaymentProduct: t.field({
    type: ProductPayload,
    description: 'Disables a payment product: shoppers can no longer pay with Klarna at the merchant.',
    errors: { types: MUTATION_ERRORS, union: { name: 'DisablePaymentProductResult' } },
    args: { input: t.arg({ type: DisableInput, required: true, description: 'The product and the reason.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(disableSchema, args.input);
      const change = { enable: false as const, reason: input.reason, reasonDetails: input.reasonDetails };
      const product = await context.pm.setPaymentProductState(input.accountId, input.productId, change, keyFor(input));
      context.refreshLoaders();
      return { product: scope(input.accountId, product) };
    },
  }),
  updatePaymentAccount: t.field({
    type: PaymentAccountPayload,
    description: "Changes a payment account's reference or default merchant category code.",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdatePaymentAccountInput, required: true, description: 'The payment account.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(updatePaymentAccountSchema, args.input);
      const account: PaymentAccount = await context.pm.updatePaymentAccount(input.accountId, input.productId, input.paymentAccountId, input, keyFor(input));
      context.refreshLoaders();
      return { paymentAccount: { ...account, accountId: input.accountId, productId: input.productId } };
    },
  }),
}));

/**
 * Payment accounts, reached through their payment product (`default` names the account's only one).
 * r6 lets a partner change the reference and the default MCC; the status mirrors the product's state.
 */
import { conflict, notFound } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import type { Pm } from '../state.ts';
import { ownedAccount, pathParam, productOf } from './common.ts';

function paymentAccountOf(context: HandlerContext): Pm['PaymentAccount'] {
  const product = productOf(ownedAccount(context), pathParam(context, 'product_id'));
  const id = pathParam(context, 'payment_account_id');
  const account = (product.payment_accounts ?? []).find((candidate) => candidate.payment_account_id === id);
  if (!account) throw notFound(`Payment account ${id}`);
  return account;
}

/** Payment account references are unique per acquiring partner, across all of its accounts. */
function referenceInUse(context: HandlerContext, reference: string, except: string): boolean {
  for (const record of context.state.accounts.values()) {
    if (record.ownerId !== context.principal.id) continue;
    for (const product of record.products.values()) {
      for (const account of product.payment_accounts ?? []) {
        if (account.payment_account_reference === reference && account.payment_account_id !== except) return true;
      }
    }
  }
  return false;
}

export const paymentAccountHandlers: HandlerMap = {
  getPaymentAccount: (context) => json(200, paymentAccountOf(context)),

  updatePaymentAccount: (context) => {
    const account = paymentAccountOf(context);
    const body = (context.request.body ?? {}) as Pick<Pm['PaymentAccount'], 'payment_account_reference' | 'default_merchant_category_code'>;
    if (body.payment_account_reference !== undefined) {
      if (referenceInUse(context, body.payment_account_reference, account.payment_account_id)) {
        throw conflict(`Another payment account already uses the reference ${body.payment_account_reference}.`);
      }
      account.payment_account_reference = body.payment_account_reference;
    }
    if (body.default_merchant_category_code !== undefined) {
      account.default_merchant_category_code = body.default_merchant_category_code;
    }
    context.applied(account.payment_account_id);
    return json(200, account);
  },
};

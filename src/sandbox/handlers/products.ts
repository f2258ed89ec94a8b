/**
 * Payment products: list, disable (by the partner, for FRAUD or VOLUNTARY reasons) and enable.
 *
 * Disabling a product that is already disabled (or terminated), or enabling one that is already
 * enabled, changes nothing and sends no webhook. A TERMINATED product was closed by Klarna; only Klarna
 * can re-activate it, so a partner's enable is forbidden (403, as the contract declares for enable).
 */
import { forbidden } from '../errors.ts';
import { json, type HandlerMap } from '../handler.ts';
import type { Pm } from '../state.ts';
import { ownedAccount, pathParam, productOf } from './common.ts';
import { changeProductState } from './product-state.ts';

const DISABLED_REASONS = { FRAUD: 'FRAUD_BY_PARTNER', VOLUNTARY: 'VOLUNTARY_BY_PARTNER' } as const;

export const productHandlers: HandlerMap = {
  listPaymentProducts: (context) => json(200, [...ownedAccount(context).products.values()]),

  disablePaymentProduct: (context) => {
    const record = ownedAccount(context);
    const product = productOf(record, pathParam(context, 'product_id'));
    if (product.state !== 'ENABLED') return json(200, product);
    const body = context.request.body as Pm['PaymentProductDisableRequest'];
    changeProductState(context, record, product, {
      state: 'DISABLED',
      stateReason: DISABLED_REASONS[body.reason],
      stateContext: { reason: body.reason, reason_details: body.reason_details, updated_at: context.clock.iso() },
    });
    context.applied(product.product_id);
    return json(200, product);
  },

  enablePaymentProduct: (context) => {
    const record = ownedAccount(context);
    const product = productOf(record, pathParam(context, 'product_id'));
    if (product.state === 'TERMINATED') throw forbidden('A payment product terminated by Klarna can only be re-activated by Klarna.');
    if (product.state === 'ENABLED') return json(200, product);
    changeProductState(context, record, product, { state: 'ENABLED', stateReason: 'APPROVED' });
    context.applied(product.product_id);
    return json(200, product);
  },
};

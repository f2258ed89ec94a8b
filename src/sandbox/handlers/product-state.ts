/**
 * Payment product state changes, whoever makes them (the partner through disable/enable, Klarna
 * through a compliance decision). A product's payment accounts follow its state, and every change is
 * announced to the account's owner with `partner.account.product.payment.state-change.<disabled|enabled>`
 * (a termination is announced as `disabled` with `state: TERMINATED`).
 */
import type { AccountRecord, Pm } from '../state.ts';
import { emitAccountEvent, type SandboxServices } from './common.ts';

export const PRODUCT_DISABLED_EVENT = 'partner.account.product.payment.state-change.disabled';
export const PRODUCT_ENABLED_EVENT = 'partner.account.product.payment.state-change.enabled';

type Product = Pm['PaymentProduct'];

export interface ProductChange {
  state: Product['state'];
  stateReason: Product['state_reason'];
  /** Why the product was disabled or terminated; absent when it is enabled. */
  stateContext?: Product['state_context'];
}

export function changeProductState(
  services: Pick<SandboxServices, 'webhooks'>,
  record: AccountRecord,
  product: Product,
  change: ProductChange,
): void {
  product.state = change.state;
  product.state_reason = change.stateReason;
  if (change.stateContext) product.state_context = change.stateContext;
  else delete product.state_context;
  const status = change.state === 'ENABLED' ? 'ENABLED' : 'DISABLED';
  for (const account of product.payment_accounts ?? []) account.status = status;
  const enabled = change.state === 'ENABLED';
  emitAccountEvent(
    services,
    record,
    enabled ? PRODUCT_ENABLED_EVENT : PRODUCT_DISABLED_EVENT,
    {
      partner_account_id: record.account.partner_account_id,
      product_id: product.product_id,
      state: product.state,
      state_reason: product.state_reason,
      ...(product.state_context ? { state_context: product.state_context } : {}),
    },
    product.product_id,
  );
}

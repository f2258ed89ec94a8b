/** Lookups and helpers every handler shares: ownership checks, identifiers, webhook emission. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { notFound } from '../errors.ts';
import type { HandlerContext, SandboxBehaviour } from '../handler.ts';
import type { AccountRecord, Pm, SandboxState } from '../state.ts';
import type { WebhookEmitter } from '../webhooks.ts';

/** The dependencies of code that runs outside a request (scheduled tasks, admin routes). */
export interface SandboxServices {
  state: SandboxState;
  clock: Clock;
  webhooks: WebhookEmitter;
  behaviour: SandboxBehaviour;
}

/** A new Klarna identifier: `krn:partner:global:account:brand:<uuid>` for `newKrn('account:brand')`. */
export const newKrn = (kind: string) => `krn:partner:global:${kind}:${randomUUID()}`;

/** A path parameter the contract has already made required. */
export const pathParam = (context: HandlerContext, name: string): string => context.request.path[name] ?? '';

/** The account named in the path, when the caller owns it; otherwise Klarna's 404. */
export function ownedAccount(context: HandlerContext, id = pathParam(context, 'partner_account_id')): AccountRecord {
  const record = context.state.accounts.get(id);
  if (!record || record.ownerId !== context.principal.id) throw notFound(`Partner account ${id}`);
  return record;
}

/** The payment product by KRN or by the alias `default` (an account has one payment product in r6). */
export function productOf(record: AccountRecord, productId: string): Pm['PaymentProduct'] {
  const product = productId === 'default' ? record.products.values().next().value : record.products.get(productId);
  if (!product) throw notFound(`Payment product ${productId}`);
  return product;
}

/** An item of one of an account's maps, or Klarna's 404 naming it. */
export function itemOf<T>(items: Map<string, T>, id: string, what: string): T {
  const item = items.get(id);
  if (!item) throw notFound(`${what} ${id}`);
  return item;
}

/** Emits a webhook about an account to its owner's subscribers, without delaying the response. */
export function emitAccountEvent(
  services: Pick<SandboxServices, 'webhooks'>,
  record: AccountRecord,
  eventType: string,
  payload: Record<string, unknown>,
  productInstanceId?: string,
): void {
  void services.webhooks.emit({
    eventType,
    subjectAccountId: record.account.partner_account_id,
    recipientAccountId: record.ownerId,
    payload,
    ...(productInstanceId ? { productInstanceId } : {}),
  });
}

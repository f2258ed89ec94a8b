/**
 * Klarna Merchant Card Service API v3 client: card promises, card settlements and order cancellation.
 * Card data arrives encrypted for the caller's enrolled key and is passed through untouched; nothing
 * here logs or caches it.
 */
import type { components, paths } from '../contracts/merchant-card-service.generated.ts';
import { NotFoundError } from '../errors.ts';
import { pathOf, type PathParameters } from './request-path.ts';
import { RestClient } from './rest-client.ts';
import type { CardSpecificationInput } from './write-inputs.ts';

type McsSchemas = components['schemas'];
export type CardPromise = McsSchemas['promise_response'];
export type CardSettlement = McsSchemas['settlement_response'];
export type EncryptedCard = McsSchemas['card'];
export type CancellationStatus = McsSchemas['cancel_order_request_status'];
export type CreatedPromise = McsSchemas['promise_created_response'];

/** The cancellation of an order as the gateway reports it: Klarna's status, or that none was requested. */
export type OrderCancellation = CancellationStatus | { status: 'NO_REQUEST_FOUND'; reason_code?: string; reason_message?: string };

/** A request path from one of the contract's path templates (the compiler takes no other), see `pathOf`. */
const mcsPath = <Template extends keyof paths & string>(template: Template, parameters: PathParameters<Template>) => pathOf(template, parameters);

export class MerchantCardServiceClient extends RestClient {
  protected readonly apiName = 'Merchant Card Service';

  getPromise(promiseId: string): Promise<CardPromise> {
    return this.request({ operation: 'readPromise', method: 'GET', path: mcsPath('/merchantcard/v3/promises/{promise_id}', { promise_id: promiseId }) });
  }

  /** A card settlement with its cards encrypted for `keyId`. */
  getSettlement(settlementId: string, keyId: string): Promise<CardSettlement> {
    return this.request({
      operation: 'readSettlement',
      method: 'GET',
      path: mcsPath('/merchantcard/v3/settlements/{settlement_id}', { settlement_id: settlementId }),
      headers: { keyid: keyId },
    });
  }

  getSettlementByOrder(orderId: string, keyId: string): Promise<CardSettlement> {
    return this.request({
      operation: 'readSettlementByOrderId',
      method: 'GET',
      path: mcsPath('/merchantcard/v3/settlements/order/{order_id}', { order_id: orderId }),
      headers: { keyid: keyId },
    });
  }

  /** The order's cancellation; Klarna answers 400 `NO_REQUEST_FOUND` when none was requested. */
  async getOrderCancellation(orderId: string): Promise<OrderCancellation> {
    try {
      return await this.request<CancellationStatus>({
        operation: 'getOrderCancellation',
        method: 'GET',
        path: mcsPath('/merchantcard/v3/orders/{order_id}/cancel-request', { order_id: orderId }),
      });
    } catch (error) {
      if (error === NO_CANCELLATION_REQUESTED) return { status: 'NO_REQUEST_FOUND', reason_code: 'NO_REQUEST_FOUND' };
      throw error;
    }
  }

  createPromise(orderId: string, cards: CardSpecificationInput[], idempotencyKey: string): Promise<CreatedPromise> {
    return this.request({
      operation: 'createPromise',
      method: 'POST',
      path: mcsPath('/merchantcard/v3/promises', {}),
      body: {
        order_id: orderId,
        cards: cards.map((card) => ({
          reference: card.reference,
          amount: card.amount,
          currency: card.currency,
          ...(card.fundAmount != null ? { fund_amount: card.fundAmount } : {}),
        })),
      },
      idempotencyKey,
    });
  }

  /** Settles an order with virtual cards encrypted for `keyId`. The answer holds card data: never log or cache it. */
  createSettlement(input: { orderId: string; promiseId?: string | null; keyId: string }, idempotencyKey: string): Promise<CardSettlement> {
    return this.request({
      operation: 'settlePromise',
      method: 'POST',
      path: mcsPath('/merchantcard/v3/settlements', {}),
      body: { order_id: input.orderId, key_id: input.keyId, ...(input.promiseId ? { promise_id: input.promiseId } : {}) },
      idempotencyKey,
    });
  }

  requestOrderCancellation(orderId: string, idempotencyKey: string): Promise<CancellationStatus> {
    return this.request({
      operation: 'requestOrderCancellation',
      method: 'POST',
      path: mcsPath('/merchantcard/v3/orders/{order_id}/cancel-request', { order_id: orderId }),
      idempotencyKey,
    });
  }

  protected override mapError(status: number, body: unknown): Error {
    const reason = (body as { reason_code?: string; status?: string } | undefined) ?? {};
    if (status === 400 && (reason.status === 'NO_REQUEST_FOUND' || reason.reason_code === 'NO_REQUEST_FOUND')) {
      return NO_CANCELLATION_REQUESTED;
    }
    if (status === 404) return new NotFoundError('The card order, promise or settlement');
    return super.mapError(status, body);
  }
}

/**
 * Internal signal: Klarna's 400 that means "no cancellation was requested", which is not an error to
 * us and never leaves this client. One instance, made once: an order's cancellation status is read
 * with every card order, and a new Error each time cost its stack trace (~2% of a card order's CPU).
 */
const NO_CANCELLATION_REQUESTED = new Error('no cancellation was requested');

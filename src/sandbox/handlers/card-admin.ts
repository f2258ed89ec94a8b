/**
 * Admin hooks under `/__sandbox` for the card world: Klarna-side facts a test or a person sets up
 * (a completed order, a card that was used, an enrolled key).
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { badValue, conflict, SandboxError } from '../errors.ts';
import { completedOrder, DOCS_CARD_SAMPLE, OTHER_CARD_ORDER } from '../seed/cards.ts';
import type { AdminHandler } from '../server.ts';
import type { SandboxState } from '../state.ts';
import type { SandboxServices } from './common.ts';

const notFound = (message: string) => new SandboxError(404, 'RESOURCE_ERROR', 'NOT_FOUND', message);

const ownerSchema = z.string().min(1).default('demo');
const cardOrderSchema = z.object({
  order_id: z.string().min(1).optional(),
  amount: z.number().int().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  owner: ownerSchema,
});
const cardKeySchema = z.object({
  key_id: z.string().min(1),
  public_key_pem: z.string().min(1),
  principal_id: ownerSchema,
});

/** `demo` and `other` name the seeded principals (the owners of the seeded orders); anything else is a principal id. */
function principalOf(state: SandboxState, owner: string): string {
  const alias = { demo: DOCS_CARD_SAMPLE.orderId, other: OTHER_CARD_ORDER.orderId }[owner];
  const id = alias ? state.cardOrders.get(alias)?.ownerId : owner;
  if (!id || !state.principals.has(id)) throw badValue(`Unknown principal ${owner}.`);
  return id;
}

/** Admin hooks under `/__sandbox`: Klarna-side events of the card world. */
export function cardAdminRoutes({ state }: SandboxServices): Record<string, AdminHandler> {
  return {
    /** A completed order (Klarna's side of a purchase), ready to be promised and settled. */
    'POST /card-orders': ({ body }) => {
      const input = cardOrderSchema.parse(body);
      const orderId = input.order_id ?? randomUUID();
      if (state.cardOrders.has(orderId)) throw conflict(`Order ${orderId} already exists.`);
      const order = completedOrder(principalOf(state, input.owner), orderId, input.amount, input.currency);
      state.cardOrders.set(orderId, order);
      return { order_id: orderId, owner_id: order.ownerId, amount: order.amount, currency: order.currency };
    },
    /** The order's card has been used: a cancellation decided from now on is rejected (`CARD_IN_USE`). */
    'POST /card-orders/:order_id/card-in-use': ({ params }) => {
      const order = state.cardOrders.get(params.order_id ?? '');
      if (!order) throw notFound(`Order ${params.order_id} was not found.`);
      order.cardInUse = true;
      return { order_id: order.orderId, card_in_use: true };
    },
    /** Enrols an RSA public key (≥ 2048 bits, PEM) for a principal: Klarna does this out of band. */
    'POST /card-keys': ({ body }) => {
      const input = cardKeySchema.parse(body);
      const publicKey = (() => {
        try {
          return createPublicKey(input.public_key_pem);
        } catch {
          throw badValue('public_key_pem is not a PEM public key.');
        }
      })();
      const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
      if (publicKey.asymmetricKeyType !== 'rsa' || bits < 2048) throw badValue('The key must be an RSA public key of at least 2048 bits.');
      if (state.enrolledKeys.has(input.key_id)) throw conflict(`Key ${input.key_id} is already enrolled.`);
      const ownerId = principalOf(state, input.principal_id);
      state.enrolledKeys.set(input.key_id, { ownerId, keyId: input.key_id, publicKeyPem: input.public_key_pem });
      return { key_id: input.key_id, principal_id: ownerId };
    },
    /** The private half of a key the sandbox generated itself (the demo key), for demo decryption. */
    'GET /card-keys/:key_id/private-key': ({ params }) => {
      const key = state.enrolledKeys.get(params.key_id ?? '');
      if (!key?.privateKeyPem) throw notFound(`The sandbox holds no private key ${params.key_id}.`);
      return { key_id: key.keyId, private_key_pem: key.privateKeyPem };
    },
  };
}

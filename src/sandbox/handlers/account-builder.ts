/**
 * Turns a validated onboarding or migration payload into an account record: Klarna identifiers for
 * every resource, references resolved to identifiers, the payment product ENABLED / APPROVED with its
 * payment accounts ENABLED, and the account PARTIALLY_OPERATIONAL / INITIAL_SETUP.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { emptyAccountRecord, type AccountRecord, type Pm, type Principal } from '../state.ts';
import { newKrn } from './common.ts';
import type { OnboardingPayload } from './onboarding-rules.ts';

const ACCOUNT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `krn:partner:global:account:live:LWT2XJSE`: eight characters, as in Klarna's samples. */
export function newAccountId(principal: Principal): string {
  const suffix = Array.from({ length: 8 }, () => ACCOUNT_ID_ALPHABET[randomInt(ACCOUNT_ID_ALPHABET.length)]).join('');
  return `krn:partner:global:account:${principal.environment.toLowerCase()}:${suffix}`;
}

/** A store as kept: the documented fields of the request, its id and its group (unknown keys dropped). */
export function storeRecord(data: Pm['StoreData'], storeId: string, storeGroupId: string | undefined): Pm['Store'] {
  return {
    store_id: storeId,
    type: data.type,
    store_reference: data.store_reference,
    url: data.url,
    ...(storeGroupId ? { store_group_id: storeGroupId } : {}),
  };
}

export function brandRecord(data: Pm['BrandData'], brandId: string): Pm['Brand'] {
  return {
    brand_id: brandId,
    display_name: data.display_name,
    brand_reference: data.brand_reference,
    ...(data.element ? { element: data.element } : {}),
  };
}

export interface BuildInput {
  principal: Principal;
  accountId: string;
  payload: OnboardingPayload;
}

export function buildAccountRecord({ principal, accountId, payload }: BuildInput): AccountRecord {
  const environment = principal.environment.toLowerCase();
  const record = emptyAccountRecord(principal.id, {
    partner_account_id: accountId,
    partner_account_reference: payload.partner_account_reference,
    partner_account_name: payload.partner_account_name,
    partner_account_contact: payload.partner_account_contact,
    state: 'PARTIALLY_OPERATIONAL',
    state_reason: 'INITIAL_SETUP',
  });

  const entityIds = new Map<string, string>();
  for (const data of payload.partner_business_entities) {
    const id = `krn:partner:accounts:partner-business-entity:${randomUUID()}`;
    entityIds.set(data.partner_business_entity_reference, id);
    record.entities.set(id, { ...data, partner_business_entity_id: id } as Pm['PartnerBusinessEntity']);
  }
  const brandIds = new Map<string, string>();
  for (const data of payload.brands ?? []) {
    const id = newKrn('account:brand');
    brandIds.set(data.brand_reference, id);
    record.brands.set(id, brandRecord(data, id));
  }
  const groupIds = new Map<string, string>();
  for (const data of payload.store_groups) {
    const id = newKrn('account:store-groups');
    groupIds.set(data.store_group_reference, id);
    const brandId = data.brand_reference === undefined ? undefined : brandIds.get(data.brand_reference);
    record.storeGroups.set(id, {
      store_group_id: id,
      store_group_reference: data.store_group_reference,
      ...(brandId ? { brand_id: brandId, brand_reference: data.brand_reference } : {}),
      ...(data.support_contact ? { support_contact: data.support_contact } : {}),
      ...(data.social_media_links ? { social_media_links: data.social_media_links } : {}),
    });
    const storeIds = data.stores.map((store) => {
      const storeId = newKrn('account:stores');
      record.stores.set(storeId, storeRecord(store, storeId, id));
      return storeId;
    });
    record.storeIdsByGroup.set(id, storeIds);
  }
  for (const data of payload.products) {
    const productId = newKrn('account:product:payment');
    const accounts = data.payment_accounts.map(
      (account): Pm['PaymentAccount'] => ({
        payment_account_id: `krn:partner:global:payment-account:${environment}:${randomUUID()}`,
        status: 'ENABLED',
        payment_account_reference: account.payment_account_reference,
        default_merchant_category_code: account.default_merchant_category_code,
        partner_business_entity_id: entityIds.get(account.partner_business_entity_reference),
        payment_acquiring_account_id: account.payment_acquiring_account_id,
        default_store_group_id: groupIds.get(account.default_store_group_reference),
      }),
    );
    record.products.set(productId, {
      product_id: productId,
      type: 'PAYMENT',
      payment_profile_id: data.payment_profile_id,
      payment_accounts: accounts,
      state: 'ENABLED',
      state_reason: 'APPROVED',
    } as Pm['PaymentProduct']);
  }
  return record;
}

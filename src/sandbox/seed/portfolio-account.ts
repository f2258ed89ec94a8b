/**
 * One generated partner account, complete with business entities, brands, store groups, stores, its
 * payment product with payment accounts, and compliance decisions, all from one seeded PRNG.
 */
import { randomUuid, type Random } from '../random.ts';
import { emptyAccountRecord, type AccountRecord, type Pm } from '../state.ts';
import { acquiringAccountOf } from './acquiring-accounts.ts';
import {
  CATEGORIES, COUNTRIES, COUNTRY_WEIGHTS, FAMILY_NAMES, GIVEN_NAMES, NAME_PREFIXES, STREETS, slugOf, type Country,
} from './portfolio-catalog.ts';
import { PAYMENT_PROFILES, PLAN_MARKETS } from './reference-data.ts';

/** How Klarna left the account: a few products are disabled by the partner, by a decision, or terminated. */
export type Lifecycle = 'active' | 'disabled-by-partner' | 'disabled-by-decision' | 'terminated';

export interface PortfolioAccountInput {
  id: string;
  ownerId: string;
  random: Random;
  /** Total stores; spread over the store groups. */
  storeCount: number;
  lifecycle: Lifecycle;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const DECISION_TYPES = ['NON_COMPLIANT', 'OTHER_RISK', 'PROHIBITED_OR_RESTRICTED_SEGMENT', 'FRAUDULENT_BEHAVIOUR'];
/** Generated decisions and state changes fall in 2024–2025, independent of the wall clock. */
const HISTORY_START_MS = Date.UTC(2024, 0, 1);
const HISTORY_SPAN_MS = 700 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Group sizes for `stores` stores: one group up to 12, two up to 80, then four, largest first. */
export function storeGroupSizes(stores: number): number[] {
  const shares = stores <= 12 ? [1] : stores <= 80 ? [0.6, 0.4] : [0.4, 0.3, 0.2, 0.1];
  const sizes = shares.map((share) => Math.floor(stores * share));
  sizes[0]! += stores - sizes.reduce((sum, size) => sum + size, 0);
  return sizes;
}

/** A payment profile whose price plan prices the merchant's market. */
function profileFor(random: Random, market: Country): Pm['PaymentProfile'] {
  const fitting = PAYMENT_PROFILES.filter((profile) =>
    (PLAN_MARKETS[profile.price_plan_id] ?? []).some((planMarket) => planMarket.country === market.country),
  );
  return pick(random, fitting.length ? fitting : PAYMENT_PROFILES);
}

export function portfolioAccount({ id, ownerId, random, storeCount, lifecycle }: PortfolioAccountInput): AccountRecord {
  const market = COUNTRIES[pick(random, COUNTRY_WEIGHTS)]!;
  const category = pick(random, CATEGORIES);
  const name = `${pick(random, NAME_PREFIXES)} ${pick(random, category.nouns)}`;
  const slug = slugOf(name);
  const domain = `${slug}.${market.tld}`;
  const given = pick(random, GIVEN_NAMES);
  const family = pick(random, FAMILY_NAMES);
  const at = () => iso(HISTORY_START_MS + Math.floor(random() * HISTORY_SPAN_MS));
  const krn = (kind: string) => `krn:partner:global:${kind}:${randomUuid(random)}`;

  const record = emptyAccountRecord(ownerId, {
    partner_account_id: id,
    partner_account_reference: `M${String(Math.floor(random() * 1e12)).padStart(12, '0')}`,
    partner_account_name: name,
    partner_account_contact: {
      given_name: given,
      family_name: family,
      email: `${slugOf(given)}.${slugOf(family)}@${domain}`,
      phone: `${market.phonePrefix}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
    },
    state: lifecycle === 'terminated' ? 'DISABLED' : 'OPERATIONAL',
    state_reason: lifecycle === 'terminated' ? 'DISABLED_BY_KLARNA' : 'SETUP_COMPLETE',
  });

  const entityCount = storeCount >= 100 ? 2 : 1;
  const entities = Array.from({ length: entityCount }, (_, index): Pm['PartnerBusinessEntity'] => ({
    partner_business_entity_id: `krn:partner:accounts:partner-business-entity:${randomUuid(random)}`,
    partner_business_entity_reference: `${slug}-entity-${index + 1}`,
    legal_registered_entity_name: `${name}${index ? ' Online' : ''} ${market.legalSuffix}`,
    legal_registration_country: market.country,
    enabled_merchant_category_codes: [category.mcc],
    supplementary_business_data: {
      operating_addresses: [{ street_address: `${1 + Math.floor(random() * 200)} ${pick(random, STREETS)}`, city: pick(random, market.cities), country: market.country }],
    },
  }));
  for (const entity of entities) record.entities.set(entity.partner_business_entity_id, entity);

  const sizes = storeGroupSizes(storeCount);
  const brands = Array.from({ length: sizes.length > 2 ? 2 : 1 }, (_, index): Pm['Brand'] => ({
    brand_id: krn('account:brand'),
    display_name: index ? `${name} Outlet` : name,
    brand_reference: `${slug}-brand-${index + 1}`,
    element: { logo_url: `https://cdn.${domain}/brand-${index + 1}/logo.png` },
  }));
  for (const brand of brands) record.brands.set(brand.brand_id, brand);

  let storeNumber = 0;
  const groups = sizes.map((size, index) => {
    const brand = brands[index % brands.length]!;
    const group: Pm['StoreGroup'] = {
      store_group_id: krn('account:store-groups'),
      store_group_reference: `${slug}-group-${index + 1}`,
      brand_id: brand.brand_id,
      brand_reference: brand.brand_reference,
      support_contact: { email: `support@${domain}`, contact_form: `https://www.${domain}/support` },
      social_media_links: [{ provider: 'INSTAGRAM', url: `https://www.instagram.com/${slug.replaceAll('-', '')}` }],
    };
    const ids: string[] = [];
    for (let n = 0; n < size; n += 1) {
      storeNumber += 1;
      const store: Pm['Store'] = {
        store_id: krn('account:stores'),
        type: 'WEBSITE',
        store_reference: `${slug}-store-${String(storeNumber).padStart(3, '0')}`,
        url: storeNumber === 1 ? `https://www.${domain}` : `https://store-${String(storeNumber).padStart(3, '0')}.${domain}`,
        store_group_id: group.store_group_id,
      };
      record.stores.set(store.store_id, store);
      ids.push(store.store_id);
    }
    record.storeGroups.set(group.store_group_id, group);
    record.storeIdsByGroup.set(group.store_group_id, ids);
    return group;
  });

  const productId = krn('account:product:payment');
  const decisionAt = at();
  const decisionId = `krn:partner:global:compliance:decision:${randomUuid(random)}`;
  const enabled = lifecycle === 'active';
  const acquiring = acquiringAccountOf(ownerId, market.currency);
  const product: Pm['PaymentProduct'] = {
    product_id: productId,
    type: 'PAYMENT',
    payment_profile_id: profileFor(random, market).payment_profile_id,
    payment_accounts: entities.map((entity, index) => ({
      payment_account_id: `krn:partner:global:payment-account:test:${randomUuid(random)}`,
      status: enabled ? 'ENABLED' : 'DISABLED',
      payment_account_reference: `${slug}-pa-${index + 1}`,
      default_merchant_category_code: category.mcc,
      partner_business_entity_id: entity.partner_business_entity_id,
      payment_acquiring_account_id: acquiring.id,
      default_store_group_id: groups[index % groups.length]!.store_group_id,
    })),
    ...productState(lifecycle, decisionId, decisionAt),
  };
  record.products.set(productId, product);

  const decisions: Pm['ComplianceDecision'][] = Array.from({ length: Math.floor(random() * 4) }, () => ({
    decision_id: `krn:partner:global:compliance:decision:${randomUuid(random)}`,
    decision_type: pick(random, DECISION_TYPES.slice(0, 3)),
    partner_account_id: id,
    product_instance_id: random() < 0.5 ? productId : null,
    created_at: at(),
  }));
  if (lifecycle === 'disabled-by-decision' || lifecycle === 'terminated') {
    decisions.push({
      decision_id: decisionId,
      decision_type: lifecycle === 'terminated' ? 'FRAUDULENT_BEHAVIOUR' : 'NON_COMPLIANT',
      partner_account_id: id,
      product_instance_id: productId,
      created_at: decisionAt,
    });
  }
  decisions.sort((a, b) => a.created_at.localeCompare(b.created_at));
  for (const decision of decisions) record.decisions.set(decision.decision_id, decision);
  return record;
}

function productState(lifecycle: Lifecycle, decisionId: string, at: string): Pick<Pm['PaymentProduct'], 'state' | 'state_reason' | 'state_context'> {
  switch (lifecycle) {
    case 'active':
      return { state: 'ENABLED', state_reason: 'APPROVED' };
    case 'disabled-by-partner':
      return { state: 'DISABLED', state_reason: 'VOLUNTARY_BY_PARTNER', state_context: { reason: 'VOLUNTARY', reason_details: 'Seasonal business, closed until spring.', updated_at: at } };
    case 'disabled-by-decision':
      return { state: 'DISABLED', state_reason: 'COMPLIANCE_DECISION', state_context: { reason_details: 'Disabled by Klarna after a compliance review.', decision_id: decisionId, updated_at: at } };
    case 'terminated':
      return { state: 'TERMINATED', state_reason: 'TERMINATED_BY_KLARNA', state_context: { reason_details: 'Terminated by Klarna.', decision_id: decisionId, updated_at: at } };
  }
}

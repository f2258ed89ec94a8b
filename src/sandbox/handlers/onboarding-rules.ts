/**
 * What onboarding and migration check beyond the schema: how many items each array takes in this
 * release, that references are unique inside the payload, that the payload's cross references resolve
 * (payment account → business entity and store group, store group → brand), that the payment profile
 * exists, and that stores are of a supported type. Every problem is reported at once, each under the
 * JSON path of the offending field (`body.products.0.payment_accounts.0.partner_business_entity_reference`).
 */
import type { Violation } from '../../contracts/contract.ts';
import type { SandboxBehaviour } from '../handler.ts';
import type { Pm, SandboxState } from '../state.ts';
import { storeTypeViolation } from './store-rules.ts';

/** An onboarding or a migration payload: migration's products add a legacy `merchant_id`, its brands are optional. */
export type OnboardingPayload = Omit<Pm['OnboardRequest'], 'products' | 'brands'> & {
  products: Pm['PaymentProductRequestData'][];
  brands?: Pm['BrandData'][];
};

/**
 * r6 documents every array as "= 1 items"; later releases take several. `brandsOptional` is migration,
 * where brands may be left out (or sent empty).
 */
function cardinality(payload: OnboardingPayload, behaviour: SandboxBehaviour, brandsOptional: boolean): Violation[] {
  const arrays: [keyof OnboardingPayload, unknown[] | undefined, boolean][] = [
    ['partner_business_entities', payload.partner_business_entities, false],
    ['products', payload.products, false],
    ['brands', payload.brands, brandsOptional],
    ['store_groups', payload.store_groups, false],
  ];
  const violations: Violation[] = [];
  for (const [name, items = [], optional] of arrays) {
    if (optional && items.length === 0) continue;
    if (behaviour.strictExactlyOne && items.length !== 1) {
      violations.push({ parameter: `body.${name}`, reason: 'must contain exactly one item' });
    } else if (items.length < 1) {
      violations.push({ parameter: `body.${name}`, reason: 'must contain at least one item' });
    }
  }
  return violations;
}

/** Collects references into a set, reporting each repeat under its path. */
function uniqueReferences(entries: [reference: string, parameter: string][], violations: Violation[]): Set<string> {
  const first = new Map<string, string>();
  for (const [reference, parameter] of entries) {
    const earlier = first.get(reference);
    if (earlier) violations.push({ parameter, reason: `duplicates the reference at ${earlier}` });
    else first.set(reference, parameter);
  }
  return new Set(first.keys());
}

export function onboardingViolations(
  payload: OnboardingPayload,
  { behaviour, state, brandsOptional }: { behaviour: SandboxBehaviour; state: SandboxState; brandsOptional: boolean },
): Violation[] {
  const violations = cardinality(payload, behaviour, brandsOptional);
  const entities = uniqueReferences(
    payload.partner_business_entities.map((e, i) => [e.partner_business_entity_reference, `body.partner_business_entities.${i}.partner_business_entity_reference`]),
    violations,
  );
  const brands = uniqueReferences(
    (payload.brands ?? []).map((b, i) => [b.brand_reference, `body.brands.${i}.brand_reference`]),
    violations,
  );
  const groups = uniqueReferences(
    payload.store_groups.map((g, i) => [g.store_group_reference, `body.store_groups.${i}.store_group_reference`]),
    violations,
  );
  uniqueReferences(
    payload.store_groups.flatMap((g, i) => g.stores.map((s, k): [string, string] => [s.store_reference, `body.store_groups.${i}.stores.${k}.store_reference`])),
    violations,
  );
  uniqueReferences(
    payload.products.flatMap((p, i) =>
      p.payment_accounts.map((a, j): [string, string] => [a.payment_account_reference, `body.products.${i}.payment_accounts.${j}.payment_account_reference`]),
    ),
    violations,
  );

  payload.store_groups.forEach((group, i) => {
    if (group.brand_reference !== undefined && !brands.has(group.brand_reference)) {
      violations.push({ parameter: `body.store_groups.${i}.brand_reference`, reason: 'does not name a brand of this request' });
    }
    group.stores.forEach((store, k) => {
      const violation = storeTypeViolation(behaviour, store.type, `body.store_groups.${i}.stores.${k}.type`);
      if (violation) violations.push(violation);
    });
  });
  const profiles = new Set(state.paymentProfiles.map((profile) => profile.payment_profile_id));
  payload.products.forEach((product, i) => {
    if (!profiles.has(product.payment_profile_id)) {
      violations.push({ parameter: `body.products.${i}.payment_profile_id`, reason: 'does not name a known payment profile' });
    }
    product.payment_accounts.forEach((account, j) => {
      const at = `body.products.${i}.payment_accounts.${j}`;
      if (!entities.has(account.partner_business_entity_reference)) {
        violations.push({ parameter: `${at}.partner_business_entity_reference`, reason: 'does not name a partner business entity of this request' });
      }
      if (!groups.has(account.default_store_group_reference)) {
        violations.push({ parameter: `${at}.default_store_group_reference`, reason: 'does not name a store group of this request' });
      }
    });
  });
  return violations;
}

/**
 * What a store must satisfy wherever one is written (onboarding, migration, a store group's or a store's
 * update), beyond the schema. A rule, not a handler: the onboarding rules and the store handlers both
 * import it, and it imports neither.
 *
 * r6 supports only websites ("only WEBSITE stores are supported right now"): in r6-strict mode
 * (`behaviour.strictExactlyOne`) any other store type is rejected; the lenient mode follows later
 * releases and also takes PHYSICAL_STORE and MOBILE_APP.
 */
import type { Violation } from '../../contracts/contract.ts';
import type { SandboxBehaviour } from '../handler.ts';

/** The violation for a store type the current release does not support, if any. */
export function storeTypeViolation(behaviour: SandboxBehaviour, type: unknown, parameter: string): Violation | undefined {
  if (!behaviour.strictExactlyOne || type === 'WEBSITE') return undefined;
  return { parameter, reason: 'only WEBSITE stores are supported in this release' };
}

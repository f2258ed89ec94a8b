/**
 * The authorization matrix (`src/schema/access-rules.ts`) covers the schema exactly: every query,
 * mutation and subscription has a rule written for it (an unlisted one gets the strictest, but
 * someone should decide), and no rule names a field that no longer exists.
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/schema/access-rules.ts';
import { buildSchema } from '../../src/schema/index.ts';

describe('access rules', () => {
  const schema = buildSchema();

  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    it(`has exactly one rule per ${root} field`, () => {
      const type = { Query: schema.getQueryType(), Mutation: schema.getMutationType(), Subscription: schema.getSubscriptionType() }[root];
      const fields = Object.keys(type?.getFields() ?? {}).sort();
      expect(fields.length).toBeGreaterThan(0);
      expect(Object.keys(RULES[root]).sort()).toEqual(fields);
    });
  }

  it('asks mutations for at least the operator role', () => {
    const lenient = Object.entries(RULES.Mutation).filter(([, rule]) => {
      const scopes = rule({ input: { accountId: 'krn:partner:global:account:live:LWT2XJSE' } });
      return scopes === true || (scopes.role !== 'operator' && scopes.role !== 'admin');
    });
    expect(lenient.map(([name]) => name)).toEqual([]);
  });
});

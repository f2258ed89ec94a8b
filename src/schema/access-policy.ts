/**
 * How the rules of `access-rules.ts` are enforced: a small Pothos plugin gives every root field its
 * rule as `authScopes`, and `@pothos/plugin-scope-auth` checks them against the caller before the
 * resolver (or, for subscriptions, the subscribe function) runs. A refusal is our `ForbiddenError`:
 * queries answer null with a FORBIDDEN error, mutations answer `ForbiddenError` in their result union
 * (the errors plugin is listed before scope-auth, so it catches it), subscriptions fail to open.
 *
 * Keeping the rules in one table rather than on each field: the whole matrix reads in one place, and
 * a root field nobody wrote a rule for still gets the strictest one.
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { hasAllAccounts, hasRole, mayTouchAccount, type Caller, type Role } from '../auth/caller.ts';
import { ForbiddenError } from '../errors.ts';
import { ruleFor, type Scopes } from './access-rules.ts';
import { NODE_KEYS, type NodeType } from './global-ids.ts';
import { ID_RULES, type IdRule } from './ids.ts';

/** The scopes rules may name (the builder's `AuthScopes`). */
export interface AuthScopes {
  role: Role;
  accounts: readonly unknown[];
  allAccounts: boolean;
  nodes: readonly { id: string; typename: string }[];
}

/**
 * The account a node id belongs to: an Account's own, or the first part of a key that starts with an
 * account (`NODE_KEYS`: brands, stores, ...); undefined for partner-wide objects (settlements,
 * credentials, cards).
 */
export function accountOfNode({ id, typename }: { id: string; typename: string }): string | undefined {
  const key: readonly IdRule[] | undefined = NODE_KEYS[typename as NodeType];
  return key?.[0] === ID_RULES.account ? id.split(' ')[0] : undefined;
}

const mayReadNode = (caller: Caller, node: { id: string; typename: string }) => {
  const accountId = accountOfNode(node);
  return accountId === undefined ? hasAllAccounts(caller) : mayTouchAccount(caller, accountId);
};

/** The scope-auth initializer: what this request's caller has. */
export function scopesOf(caller: Caller) {
  return {
    role: (role: Role) => hasRole(caller, role),
    accounts: (ids: readonly unknown[]) => ids.every((id) => typeof id === 'string' && mayTouchAccount(caller, id)),
    allAccounts: hasAllAccounts(caller),
    nodes: (nodes: readonly { id: string; typename: string }[]) => nodes.every((node) => mayReadNode(caller, node)),
  };
}

/** The first scope that failed (rules are all-of maps, so there is one). */
function firstFailure(failure: AuthFailure): { scope: string; parameter: unknown } | undefined {
  if (failure.kind === AuthScopeFailureType.AuthScope) return failure;
  if (failure.kind === AuthScopeFailureType.AllAuthScopes || failure.kind === AuthScopeFailureType.AnyAuthScopes) {
    for (const inner of failure.failures) {
      const found = firstFailure(inner);
      if (found) return found;
    }
  }
  return undefined;
}

/** The refusal, saying what the caller lacks. */
export function forbidden(caller: Caller, failure: AuthFailure): ForbiddenError {
  const failed = firstFailure(failure);
  switch (failed?.scope) {
    case 'role':
      return new ForbiddenError(`This needs the ${String(failed.parameter)} role; your token has ${caller.role}.`);
    case 'accounts': {
      const denied = (failed.parameter as unknown[]).find((id) => typeof id !== 'string' || !mayTouchAccount(caller, id));
      return new ForbiddenError(`Your token does not grant access to the account ${String(denied)}.`);
    }
    case 'nodes':
      return new ForbiddenError('Your token does not grant access to the account of an object you asked for (or the object belongs to no single account, and your token is limited to some).');
    case 'allAccounts':
      return new ForbiddenError('This reads or changes what belongs to no single account (credentials, settlements, card orders, onboarding); your token is limited to some accounts.');
    default:
      return new ForbiddenError();
  }
}

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

/** Gives every root field its rule from `access-rules.ts` as scope-auth `authScopes`. */
export class AccessPolicyPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (!ROOTS.has(fieldConfig.kind)) return fieldConfig;
    if ((fieldConfig.pothosOptions as { authScopes?: unknown }).authScopes) {
      throw new Error(`${fieldConfig.parentType}.${fieldConfig.name}: write its rule in access-rules.ts, not as authScopes on the field`);
    }
    const rule = ruleFor(fieldConfig.kind as 'Query' | 'Mutation' | 'Subscription', fieldConfig.name);
    const authScopes = (_parent: unknown, args: Record<string, unknown>): Scopes | true => rule(args);
    return { ...fieldConfig, pothosOptions: { ...fieldConfig.pothosOptions, authScopes } } as PothosOutputFieldConfig<Types>;
  }
}

export const accessPolicyPlugin = 'accessPolicy' as const;

SchemaBuilder.registerPlugin(accessPolicyPlugin, AccessPolicyPlugin);

// Pothos plugins announce themselves by augmenting its global namespace (as its own plugins do).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      accessPolicy: AccessPolicyPlugin<Types>;
    }
  }
}

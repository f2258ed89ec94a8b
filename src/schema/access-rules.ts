/**
 * Who may do what: one rule per root field (query, mutation, subscription), applied before its
 * resolver runs (so a refusal makes no upstream call) by `access-policy.ts` through
 * `@pothos/plugin-scope-auth`. A rule names the least role and the accounts the field touches:
 * - `accounts`: partner accounts named in the arguments (KRNs); the caller's token must grant each;
 * - `allAccounts`: the field reads or changes what belongs to no single account the gateway can check
 *   (credentials, settlements, card orders, onboarding a new merchant): a token limited to some
 *   accounts may not use it;
 * - `nodes`: the global ids of `node`/`nodes`: an account's sub-resource is checked by its account,
 *   anything else needs `allAccounts`.
 * Roles: every caller is at least a viewer (reads); `operator` changes existing accounts' resources,
 * product states and card orders; `admin` onboards and migrates, manages credentials and portal access.
 *
 * In passthrough mode every caller passes every rule and Klarna decides. A root field without a rule
 * here gets the strictest (`admin`, `allAccounts` for mutations; `allAccounts` otherwise), and a test
 * fails until it has one.
 */
import { decodeJwt } from 'jose';
import type { Role } from '../auth/caller.ts';
import { nodeIdsForAccess } from './global-ids.ts';

export interface Scopes {
  role?: Role;
  accounts?: readonly unknown[];
  allAccounts?: true;
  nodes?: readonly { id: string; typename: string }[];
}

type Args = Record<string, unknown>;
/** `true`: anyone authenticated. */
export type Rule = (args: Args) => Scopes | true;

/** The `input` argument's field (every mutation takes one `input`). */
const input = (args: Args, field: string): unknown => (args.input as Args | undefined)?.[field];

const anyone: Rule = () => true;
const partnerWide = (role: Role = 'viewer'): Rule => () => ({ role, allAccounts: true });
const onAccount = (role: Role, accountOf: (args: Args) => unknown): Rule => (args) => ({ role, accounts: [accountOf(args)] });
/** An account if the arguments name one, else the field is partner-wide. */
const onAccountOrAll = (role: Role, accountOf: (args: Args) => unknown): Rule => (args) => {
  const accountId = accountOf(args);
  return accountId ? { role, accounts: [accountId] } : { role, allAccounts: true };
};

/** The merchant account a portal grant names (the resolver refuses an unreadable token before any call). */
function portalGrantAccount(args: Args): unknown {
  try {
    return decodeJwt(String(input(args, 'jwt'))).account_id;
  } catch {
    return undefined;
  }
}

const updateOnAccount = onAccount('operator', (args) => input(args, 'accountId'));

export const RULES: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Rule>> = {
  Query: {
    account: (args) => ({ accounts: [args.id] }),
    accounts: (args) => ({ accounts: args.ids as unknown[] }),
    node: (args) => ({ nodes: nodeIdsForAccess([args.id]) }),
    nodes: (args) => ({ nodes: nodeIdsForAccess(args.ids as unknown[]) }),
    paymentProfiles: anyone,
    pricePlans: anyone,
    pricePlan: anyone,
    apiKeys: partnerWide(),
    clientIdentifiers: partnerWide(),
    credential: partnerWide(),
    // A settlement names its acquiring account, not a partner account: a limited token cannot be checked.
    settlement: partnerWide(),
    cardOrder: partnerWide(),
    cardPromise: partnerWide(),
    cardSettlement: partnerWide(),
  },
  Mutation: {
    updateAccount: updateOnAccount,
    updateBusinessEntity: updateOnAccount,
    updateBrand: updateOnAccount,
    updateStore: updateOnAccount,
    updateStoreGroup: updateOnAccount,
    updatePaymentAccount: updateOnAccount,
    enablePaymentProduct: updateOnAccount,
    disablePaymentProduct: updateOnAccount,
    // Card orders belong to no account: operators with every account run them.
    createCardPromise: partnerWide('operator'),
    createCardSettlement: partnerWide('operator'),
    requestOrderCancellation: partnerWide('operator'),
    onboardMerchant: partnerWide('admin'),
    migrateMerchant: partnerWide('admin'),
    createApiKey: partnerWide('admin'),
    updateApiKey: partnerWide('admin'),
    disableApiKey: partnerWide('admin'),
    createClientIdentifier: partnerWide('admin'),
    updateClientIdentifier: partnerWide('admin'),
    disableClientIdentifier: partnerWide('admin'),
    revokeClientCertificate: partnerWide('admin'),
    grantPortalAccess: onAccountOrAll('admin', portalGrantAccount),
    // Naming only a user removes their access to every account.
    revokePortalAccess: onAccountOrAll('admin', (args) => input(args, 'accountId')),
  },
  Subscription: {
    accountEvents: (args) => ({ accounts: [args.accountId] }),
    paymentProductStateChanged: (args) => ({ accounts: [args.accountId] }),
    complianceDecisionCreated: (args) => ({ accounts: [args.accountId] }),
    // Without `accountIds`, a limited token receives only its accounts' events (subscription-access.ts).
    klarnaEvents: (args) => ({ accounts: (args.accountIds as unknown[] | null | undefined) ?? [] }),
    settlementReportCreated: partnerWide(),
    orderCancellationUpdated: partnerWide(),
  },
};

/** The rule of a root field; the strictest for one not listed. */
export function ruleFor(root: keyof typeof RULES, field: string): Rule {
  return RULES[root][field] ?? (root === 'Mutation' ? partnerWide('admin') : partnerWide());
}

/**
 * Who is calling, as far as the gateway's own authorization goes: a role and the partner accounts the
 * caller may touch. Two kinds:
 * - `passthrough`: the caller brought Klarna credentials (or the gateway's server-held key applies).
 *   The gateway grants every role and every account and Klarna decides, with those credentials.
 * - `token`: the gateway holds the Klarna key and a verified JWT says what the caller may do.
 *
 * Roles are ordered: `viewer` reads; `operator` also changes existing resources and card orders;
 * `admin` also onboards merchants and manages credentials and portal access.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface Caller {
  kind: 'passthrough' | 'token';
  role: Role;
  /** `'*'`: every account of the partner (and partner-wide data); otherwise only these account KRNs. */
  accounts: '*' | ReadonlySet<string>;
  /** Token callers: `sub` and `iss` of the token (never logged with the token itself). */
  subject?: string;
  issuer?: string;
  /** Token callers: when the token expires, in milliseconds since the epoch. */
  expiresAt?: number;
}

/** Every caller in passthrough mode: the gateway adds no rule of its own. */
export const PASSTHROUGH_CALLER: Caller = Object.freeze({ kind: 'passthrough', role: 'admin', accounts: '*' });

/** A caller that may do nothing: the default wherever no authentication was passed on. */
export const NOBODY: Caller = Object.freeze({ kind: 'token', role: 'viewer', accounts: new Set<string>() });

export const hasRole = (caller: Caller, role: Role): boolean => RANK[caller.role] >= RANK[role];

/** Not restricted to some accounts: may read and change what belongs to no single account. */
export const hasAllAccounts = (caller: Caller): boolean => caller.accounts === '*';

export const mayTouchAccount = (caller: Caller, accountId: string): boolean => caller.accounts === '*' || caller.accounts.has(accountId);

/** True once a token caller's token has expired (a subscription outlives the request that opened it). */
export const hasExpired = (caller: Caller, now = Date.now()): boolean => caller.expiresAt !== undefined && caller.expiresAt <= now;

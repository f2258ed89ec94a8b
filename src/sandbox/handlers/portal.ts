/**
 * Klarna Partner Portal access for the users of a partner's merchants: grant (create or update, from a
 * JWT the partner signs) and revoke.
 *
 * An access is one user (`sub`, an email) on one account, owned by the partner that granted it; a
 * grant for a pair that exists updates its roles and limits (204), otherwise it creates one (201).
 */
import { notFound, validationError } from '../errors.ts';
import { json, type HandlerMap } from '../handler.ts';
import type { PortalAccessRecord } from '../state.ts';
import { readPortalJwt } from './portal-jwt.ts';

const accessKey = (grantedBy: string, accountId: string, user: string) => `${grantedBy}\u0000${accountId}\u0000${user.toLowerCase()}`;

export const portalHandlers: HandlerMap = {
  grantPortalUserAccess: (context) => {
    const { jwt } = context.request.body as { jwt: string };
    const { grant, violations } = readPortalJwt(jwt, { nowMs: context.clock.now(), callerId: context.principal.id });
    if (!grant) throw validationError(violations);
    const account = context.state.accounts.get(grant.account_id);
    if (!account || account.ownerId !== context.principal.id) throw notFound(`Partner account ${grant.account_id}`);

    const key = accessKey(context.principal.id, grant.account_id, grant.sub);
    const existed = context.state.portalAccess.has(key);
    const access: PortalAccessRecord = {
      grantedBy: context.principal.id,
      accountId: grant.account_id,
      principal: grant.sub,
      roles: grant.roles,
      ...(grant.expires_at ? { expiresAt: grant.expires_at } : {}),
      ...(grant.inactivity_grace_period ? { inactivityGracePeriod: grant.inactivity_grace_period } : {}),
    };
    context.state.portalAccess.set(key, access);
    context.applied(`portal-access:${grant.account_id}:${grant.sub.toLowerCase()}`);
    return json(existed ? 204 : 201);
  },

  /** Removes the caller's grants matching every filter given; at least one filter is required. */
  revokePortalUserAccess: (context) => {
    const { partner_account_id: accountId, principal } = context.request.query as { partner_account_id?: string; principal?: string };
    if (!accountId && !principal) {
      throw validationError([
        { parameter: 'query.partner_account_id', reason: 'partner_account_id or principal is required' },
        { parameter: 'query.principal', reason: 'partner_account_id or principal is required' },
      ]);
    }
    let removed = 0;
    for (const [key, access] of context.state.portalAccess) {
      if (access.grantedBy !== context.principal.id) continue;
      if (accountId && access.accountId !== accountId) continue;
      if (principal && access.principal.toLowerCase() !== principal.toLowerCase()) continue;
      context.state.portalAccess.delete(key);
      removed += 1;
    }
    if (removed) context.applied(`portal-access:${accountId ?? '*'}:${principal ?? '*'}`);
    return json(204);
  },
};

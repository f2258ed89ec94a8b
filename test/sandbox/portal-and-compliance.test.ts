/** Partner Portal user access (grant from a JWT, revoke) and Klarna's compliance decisions. */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { admin, call, seg, useSandbox, type CallResult } from '../utils/sandbox.ts';

const ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';
const DECISION = 'krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291';
const ACCESS = '/v2/portal/user-access';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A compact JWS with an x5c header; the sandbox decodes it without verifying the (dummy) signature. */
const jwt = (claims: Record<string, unknown>) => `${segment({ alg: 'RS256', typ: 'JWT', x5c: ['MIIBdummy'] })}.${segment(claims)}.c2lnbmF0dXJl`;

describe('portal user access', () => {
  const context = useSandbox();
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');
  const callerId = () => context.sandbox.state.principalBySecret.get(DEMO_CREDENTIALS.apiKey)!;
  const claims = (overrides: Record<string, unknown> = {}) => {
    const nowSeconds = Math.floor(context.sandbox.clock.now() / 1000);
    return {
      iss: callerId(),
      jti: crypto.randomUUID(),
      sub: 'new.user@merchant.example',
      iat: nowSeconds,
      exp: nowSeconds + 300,
      account_id: ACCOUNT,
      roles: ['merchant:admin', 'merchant:developer'],
      ...overrides,
    };
  };
  const grant = (overrides: Record<string, unknown> = {}, apiKey?: string) =>
    call(context.sandbox, 'POST', ACCESS, { body: { jwt: jwt(claims(overrides)) }, ...(apiKey ? { apiKey } : {}) });

  it('creates access with 201, then updates the same user on the same account with 204', async () => {
    const created = await grant({ sub: 'first@merchant.example', expires_at: '2099-12-31', inactivity_grace_period: 'P30D' });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    const updated = await grant({ sub: 'FIRST@merchant.example', roles: ['merchant:admin'] });
    expect(updated.status).toBe(204);
    const stored = [...context.sandbox.state.portalAccess.values()].filter((access) => access.accountId === ACCOUNT);
    expect(stored).toEqual([expect.objectContaining({ principal: 'FIRST@merchant.example', roles: ['merchant:admin'] })]);
  });

  it('names every missing claim under body.jwt and changes nothing', async () => {
    const before = await ledger();
    const response = await call(context.sandbox, 'POST', ACCESS, { body: { jwt: jwt({}) } });
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('VALIDATION_ERROR');
    expect(response.body.validation_errors.map((violation: { parameter: string }) => violation.parameter).sort()).toEqual(
      ['account_id', 'exp', 'iat', 'iss', 'jti', 'roles', 'sub'].map((claim) => `body.jwt.${claim}`),
    );
    expect(await ledger()).toEqual(before);
  });

  it.each([
    [{ exp: 1_516_239_022 }, 'body.jwt.exp'],
    [{ iss: 'krn:partner:global:account:live:SOMEONE' }, 'body.jwt.iss'],
    [{ sub: 'not-an-email' }, 'body.jwt.sub'],
    [{ roles: [] }, 'body.jwt.roles'],
    [{ expires_at: '2020-01-01' }, 'body.jwt.expires_at'],
    [{ expires_at: '31-12-2099' }, 'body.jwt.expires_at'],
    [{ inactivity_grace_period: 'PT12H' }, 'body.jwt.inactivity_grace_period'],
    [{ inactivity_grace_period: 'P7M' }, 'body.jwt.inactivity_grace_period'],
    [{ inactivity_grace_period: 'thirty days' }, 'body.jwt.inactivity_grace_period'],
  ])('rejects the claims %j at %s', async (overrides, parameter) => {
    const before = await ledger();
    const response = await grant(overrides);
    expect(response.status).toBe(400);
    expect(response.body.validation_errors).toEqual([expect.objectContaining({ parameter })]);
    expect(await ledger()).toEqual(before);
  });

  it('accepts the limits of the grace period: one day and six months', async () => {
    expect([201, 204]).toContain((await grant({ sub: 'limits@merchant.example', inactivity_grace_period: 'P1D' })).status);
    expect((await grant({ sub: 'limits@merchant.example', inactivity_grace_period: 'P6M' })).status).toBe(204);
  });

  it('rejects a token that is not a compact JWS (contract) and an account the caller does not own (404)', async () => {
    const malformed = await call(context.sandbox, 'POST', ACCESS, { body: { jwt: 'just-a-string' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.jwt' })]);
    const foreignAccount = [...context.sandbox.state.accounts.values()].find((record) => record.ownerId !== callerId());
    const response = await grant({ account_id: foreignAccount!.account.partner_account_id });
    expect(response.status).toBe(404);
    expect(response.body.error_code).toBe('RESOURCE_NOT_FOUND');
  });

  it('revokes by principal or by account, and needs at least one of them', async () => {
    const before = await ledger();
    const neither = await call(context.sandbox, 'DELETE', ACCESS);
    expect(neither.status).toBe(400);
    expect(neither.body.validation_errors.map((violation: { parameter: string }) => violation.parameter)).toContain('query.partner_account_id');
    expect(await ledger()).toEqual(before);

    await grant({ sub: 'leaver@merchant.example' });
    const byPrincipal = await call(context.sandbox, 'DELETE', `${ACCESS}?principal=${encodeURIComponent('leaver@merchant.example')}`);
    expect(byPrincipal.status).toBe(204);
    expect((await grant({ sub: 'leaver@merchant.example' })).status).toBe(201);

    await grant({ sub: 'other@merchant.example' });
    expect((await call(context.sandbox, 'DELETE', `${ACCESS}?partner_account_id=${seg(ACCOUNT)}`)).status).toBe(204);
    expect([...context.sandbox.state.portalAccess.values()].filter((access) => access.accountId === ACCOUNT)).toEqual([]);
    expect((await grant({ sub: 'other@merchant.example' })).status).toBe(201);
  });
});

describe('compliance decisions', () => {
  const context = useSandbox();
  const decisions = `/v2/accounts/${seg(ACCOUNT)}/compliance/decisions`;
  const events = () => admin<{ metadata: Record<string, unknown>; payload: CallResult['body'] }[]>(context.sandbox, 'GET', '/webhooks/events');

  it('lists decisions newest first and pages through them both ways', async () => {
    const all = await call(context.sandbox, 'GET', `${decisions}?size=100`);
    expect(all.status).toBe(200);
    const times = all.body.decisions.map((decision: { created_at: string }) => Date.parse(decision.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.body.decisions.map((decision: { decision_id: string }) => decision.decision_id)).toContain(DECISION);
    expect(all.body.decisions.length).toBeGreaterThanOrEqual(6);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: CallResult = await call(context.sandbox, 'GET', `${decisions}?size=3${cursor ? `&starting_after=${seg(cursor)}` : ''}`);
      ids.push(...page.body.decisions.map((decision: { decision_id: string }) => decision.decision_id));
      cursor = page.body.pagination.last_item;
    } while (cursor);
    expect(ids).toEqual(all.body.decisions.map((decision: { decision_id: string }) => decision.decision_id));
    const back = await call(context.sandbox, 'GET', `${decisions}?size=3&ending_before=${seg(ids[5]!)}`);
    expect(back.body.decisions.map((decision: { decision_id: string }) => decision.decision_id)).toEqual(ids.slice(2, 5));
  });

  it('reads one decision, and answers unknown ones or other partners with 404', async () => {
    const response = await call(context.sandbox, 'GET', `${decisions}/${seg(DECISION)}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ decision_id: DECISION, decision_type: 'NON_COMPLIANT', partner_account_id: ACCOUNT });
    expect((await call(context.sandbox, 'GET', `${decisions}/${seg(`${DECISION}0`)}`)).status).toBe(404);
    expect((await call(context.sandbox, 'GET', decisions, { apiKey: DEMO_CREDENTIALS.otherApiKey })).status).toBe(404);
  });

  it('records a Klarna decision from the admin route, newest first, and announces it', async () => {
    const decision = await admin(context.sandbox, 'POST', '/compliance-decisions', { partner_account_id: ACCOUNT, decision_type: 'OTHER_RISK' });
    expect(decision.decision_id).toMatch(/^krn:partner:global:compliance:decision:[0-9a-f-]{36}$/);
    const [first] = (await call(context.sandbox, 'GET', decisions)).body.decisions;
    expect(first).toEqual(decision);
    const event = (await events()).find((candidate) => candidate.payload.decision_id === decision.decision_id);
    expect(event?.metadata).toMatchObject({ event_type: 'compliance.decision.created', subject_account_id: ACCOUNT });
    const [product] = (await call(context.sandbox, 'GET', `/v2/accounts/${seg(ACCOUNT)}/products/payment`)).body;
    expect(product.state).toBe('ENABLED');
  });

  it('disables the payment product when the decision says so, naming the decision in the state context', async () => {
    const decision = await admin(context.sandbox, 'POST', '/compliance-decisions', {
      partner_account_id: ACCOUNT,
      decision_type: 'NON_COMPLIANT',
      action: 'DISABLE',
    });
    const [product] = (await call(context.sandbox, 'GET', `/v2/accounts/${seg(ACCOUNT)}/products/payment`)).body;
    expect(product).toMatchObject({ state: 'DISABLED', state_reason: 'DISABLED_BY_KLARNA', state_context: { decision_id: decision.decision_id } });
    expect(decision.product_instance_id).toBe(product.product_id);
    const disabled = (await events()).find(
      (event) => event.metadata.event_type === 'partner.account.product.payment.state-change.disabled' && event.payload.state_context?.decision_id === decision.decision_id,
    );
    expect(disabled?.metadata.product_instance_id).toBe(product.product_id);
    const enabled = await call(context.sandbox, 'POST', `/v2/accounts/${seg(ACCOUNT)}/products/payment/default/enable`);
    expect(enabled.body.state).toBe('ENABLED');
  });
});

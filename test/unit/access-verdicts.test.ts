/**
 * Klarna's access verdicts kept per principal (src/schema/access-verdicts.ts) and what a subscriber's
 * `Access` decides from them without waiting (`allowsNow`, src/schema/subscription-access.ts): each
 * event a subscriber meets asks that first, so it must answer only what was really decided.
 */
import { describe, expect, it } from 'vitest';
import { PASSTHROUGH_CALLER, type Caller } from '../../src/auth/caller.ts';
import { NotFoundError } from '../../src/errors.ts';
import { createAccessVerdicts } from '../../src/schema/access-verdicts.ts';
import type { SchemaContext } from '../../src/schema/context.ts';
import { createAccess } from '../../src/schema/subscription-access.ts';
import type { KlarnaEvent } from '../../src/webhooks/events.ts';

const ACCOUNT = 'krn:partner:global:account:live:AAAA';
const OTHER = 'krn:partner:global:account:live:BBBB';

/** A read held open until `settle` is called with its outcome. */
function heldRead() {
  let settle!: (error?: Error) => void;
  const reads: string[] = [];
  const read = (id: string) => {
    reads.push(id);
    return new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  };
  return { read, reads, settle: (error?: Error) => settle(error) };
}

const event = (accountId: string): KlarnaEvent => ({ id: '1-0', klarnaEventId: 'k', type: 'partner.account.product.payment.state-change.disabled', occurredAt: '', accountId });

describe('access verdicts', () => {
  it('knows a verdict only once Klarna gave it, per principal, until it expires', async () => {
    let now = 1_000;
    const verdicts = createAccessVerdicts({ ttlMs: 100, now: () => now });
    const held = heldRead();
    const asked = verdicts.verdict('alice', `account ${ACCOUNT}`, () => held.read(ACCOUNT));
    expect(verdicts.known('alice', `account ${ACCOUNT}`)).toBeUndefined(); // still reading
    held.settle();
    expect(await asked).toBe(true);
    expect(verdicts.known('alice', `account ${ACCOUNT}`)).toBe(true);
    expect(verdicts.known('bob', `account ${ACCOUNT}`)).toBeUndefined(); // never across principals
    now += 100;
    expect(verdicts.known('alice', `account ${ACCOUNT}`)).toBeUndefined(); // expired
  });

  it('keeps "not found" as a verdict and other failures as none', async () => {
    const verdicts = createAccessVerdicts();
    expect(await verdicts.verdict('alice', `account ${OTHER}`, () => Promise.reject(new NotFoundError('The account')))).toBe(false);
    expect(verdicts.known('alice', `account ${OTHER}`)).toBe(false);
    await expect(verdicts.verdict('alice', `account ${ACCOUNT}`, () => Promise.reject(new Error('Klarna unavailable')))).rejects.toThrow('unavailable');
    expect(verdicts.known('alice', `account ${ACCOUNT}`)).toBeUndefined();
  });

  it('forgets what an account event or a refusal of the principal makes stale', async () => {
    const verdicts = createAccessVerdicts();
    await verdicts.verdict('alice', `account ${ACCOUNT}`, () => Promise.resolve());
    await verdicts.verdict('alice', `account ${OTHER}`, () => Promise.resolve());
    verdicts.forgetAccount(ACCOUNT);
    expect([verdicts.known('alice', `account ${ACCOUNT}`), verdicts.known('alice', `account ${OTHER}`)]).toEqual([undefined, true]);
    verdicts.dropPrincipal('alice');
    expect(verdicts.known('alice', `account ${OTHER}`)).toBeUndefined();
  });
});

describe('Access.allowsNow', () => {
  function access(caller: Caller) {
    const verdicts = createAccessVerdicts();
    const held = heldRead();
    const context = { accessVerdicts: verdicts, caller, principal: { hash: 'alice' }, pm: { getAccount: held.read }, mcs: {} } as unknown as SchemaContext;
    return { access: createAccess(context), held };
  }

  it('decides at once from a kept verdict, and leaves an unread one to `readVerdict` (one read for both)', async () => {
    const { access: subscriber, held } = access(PASSTHROUGH_CALLER);
    expect(subscriber.allowsNow(event(ACCOUNT))).toBeUndefined();
    const allowed = subscriber.readVerdict(event(ACCOUNT));
    expect(subscriber.allowsNow(event(ACCOUNT))).toBeUndefined(); // read still running
    held.settle();
    expect(await allowed).toBe(true);
    expect(subscriber.allowsNow(event(ACCOUNT))).toBe(true);
    expect(held.reads).toEqual([ACCOUNT]);
  });

  it("applies the gateway's own rules first: another account of a limited token is refused, an expired token throws", () => {
    const limited = access({ kind: 'token', role: 'viewer', accounts: new Set([ACCOUNT]), expiresAt: Date.now() + 60_000 });
    expect(limited.access.allowsNow(event(OTHER))).toBe(false);
    const expired = access({ kind: 'token', role: 'viewer', accounts: new Set([ACCOUNT]), expiresAt: Date.now() - 1 });
    expect(() => expired.access.allowsNow(event(ACCOUNT))).toThrow(/expired/);
    expect(limited.held.reads).toEqual([]);
  });
});

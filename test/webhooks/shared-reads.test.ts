/**
 * One event, many subscribers: the subscribers of one principal share the event's reads (one Klarna
 * call per principal per event per object, whatever their number or selections), never across
 * principals; and the access check of a subscription opening is asked once per principal and account
 * (again after a 401/403 of the principal, or an event that changed the account's state).
 *
 * Counts come from the sandbox's counters; every wait is for a delivery or a registration, never a time.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { otherPortfolioAccountIds, portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { ingressUrl, productEvent, sendWebhook, subscribe, subscribed, WEBHOOK_ENV, type Subscriber } from '../utils/events.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

const SEED = 5;
const OWN = DOCS_ACCOUNT_ID;
const [OTHER_ACCOUNT] = otherPortfolioAccountIds(SEED);
/** Accounts of the demo partner no other test here subscribes to (their verdicts start unknown). */
const [CHECKED, UNWATCHED] = portfolioAccountIds(SEED, 3) as [string, string];
const OTHER = { authorization: `Basic ${DEMO_CREDENTIALS.otherApiKey}` };
const PRODUCT_READS = `subscription($id: ID!) { paymentProductStateChanged(accountId: $id) { klarnaEventId product { state } account { name } } }`;
const ACCOUNT_READS = `subscription($id: ID!) { accountEvents(accountId: $id) { klarnaEventId account { name state } } }`;
const NO_READS = `subscription($id: ID!) { accountEvents(accountId: $id) { klarnaEventId } }`;

/** An account state-change event (the account became OPERATIONAL), as Klarna sends it. */
function operationalEvent(accountId: string) {
  const { metadata } = productEvent({ accountId });
  return {
    metadata: { ...metadata, event_id: randomUUID(), event_type: 'partner.account.state-change.operational', product_instance_id: undefined },
    payload: { partner_account_id: accountId, state: 'OPERATIONAL', previous_state: 'ONBOARDING' },
  };
}

describe('reads shared per event', () => {
  const env = useGateway({ sandbox: { accounts: 3, seed: SEED }, env: { ...WEBHOOK_ENV, MAX_SUBSCRIPTIONS_PER_PRINCIPAL: '100' } });

  const live: Subscriber[] = [];
  async function open(count: number, query: string, variables: Record<string, unknown>, params: Record<string, unknown> = {}): Promise<Subscriber[]> {
    const opened = Array.from({ length: count }, () => subscribe(env.gateway, query, variables, params));
    live.push(...opened);
    return opened;
  }
  async function closeAll(subscribers: Subscriber[] = live.splice(0)): Promise<void> {
    await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
    await subscribed(env.gateway, 0);
  }
  afterEach(() => closeAll());

  it('reads each object once per event for all the subscribers of one principal, whatever their selections', async () => {
    const products = await open(4, PRODUCT_READS, { id: OWN });
    const accounts = await open(3, ACCOUNT_READS, { id: OWN });
    await subscribed(env.gateway, 7);
    for (let round = 0; round < 2; round += 1) {
      const event = productEvent({ accountId: OWN });
      const { byOperation } = await countCalls(env.sandbox, async () => {
        expect((await sendWebhook(ingressUrl(env.gateway), event)).status).toBe(202);
        await Promise.all([...products, ...accounts].map((subscriber) => subscriber.waitFor(round + 1)));
      });
      // One read of the account (both selections want it unexpanded) and one of the products: not one per subscriber.
      expect(byOperation).toEqual({ getAccount: 1, listPaymentProducts: 1 });
      for (const subscriber of products) {
        expect(subscriber.events()[round]).toEqual({ klarnaEventId: event.metadata.event_id, product: { state: expect.any(String) }, account: { name: expect.any(String) } });
      }
      for (const subscriber of accounts) expect(subscriber.events()[round]).toMatchObject({ klarnaEventId: event.metadata.event_id, account: { state: expect.any(String) } });
    }
  });

  it('never shares across principals: each reads with its own credentials, once per event', async () => {
    // A second API key of the demo partner: another principal to the gateway, reading the same accounts.
    const created = await gql(env.gateway, `mutation { createApiKey(input: { description: "shared reads" }) { ... on CreateApiKeyPayload { secret credential { klarnaId } } } }`);
    const { secret, credential } = created.body.data.createApiKey;
    const second = { authorization: `Basic ${secret}` };
    const demo = await open(3, PRODUCT_READS, { id: OWN });
    const seconds = await open(3, PRODUCT_READS, { id: OWN }, second);
    const others = await open(2, PRODUCT_READS, { id: OTHER_ACCOUNT }, OTHER);
    await subscribed(env.gateway, 8);

    const own = productEvent({ accountId: OWN });
    const theirs = productEvent({ accountId: OTHER_ACCOUNT! });
    const { byOperation } = await countCalls(env.sandbox, async () => {
      for (const event of [own, theirs]) expect((await sendWebhook(ingressUrl(env.gateway), event)).status).toBe(202);
      await Promise.all([...demo, ...seconds, ...others].map((subscriber) => subscriber.waitFor(1)));
    });
    // The demo account's event: once for each of the two principals that read it; the other's: once.
    expect(byOperation).toEqual({ getAccount: 3, listPaymentProducts: 3 });
    const [ownName, otherName] = [demo[0]!.events()[0].account.name, others[0]!.events()[0].account.name];
    expect(ownName).not.toBe(otherName);
    const product = { state: expect.any(String) };
    for (const subscriber of [...demo, ...seconds]) expect(subscriber.events()).toEqual([{ klarnaEventId: own.metadata.event_id, product, account: { name: ownName } }]);
    // (The other partner's account has no product of that id: null is what its own credentials read.)
    for (const subscriber of others) expect(subscriber.events()).toEqual([{ klarnaEventId: theirs.metadata.event_id, product: null, account: { name: otherName } }]);

    // The second key disabled: its subscribers' reads fail with its own credentials, the demo's do not.
    const disabled = await gql(env.gateway, `mutation($id: ID!) { disableApiKey(input: { credentialId: $id }) { __typename } }`, { id: credential.klarnaId });
    expect(disabled.body.data.disableApiKey.__typename).toBe('CredentialPayload');
    const next = productEvent({ accountId: OWN });
    await sendWebhook(ingressUrl(env.gateway), next);
    await Promise.all([...demo, ...seconds].map((subscriber) => subscriber.waitFor(2)));
    for (const subscriber of demo) expect(subscriber.results[1]).toEqual({ data: { paymentProductStateChanged: { klarnaEventId: next.metadata.event_id, product, account: { name: ownName } } } });
    for (const subscriber of seconds) {
      expect(subscriber.results[1]?.data?.paymentProductStateChanged).toMatchObject({ klarnaEventId: next.metadata.event_id, account: null });
      expect(subscriber.results[1]?.errors?.map((error) => error.extensions?.code)).toContain('UNAUTHENTICATED');
    }
  });

  it("checks a principal's access to an account once for all its subscriptions, again after a 403 or a state change", async () => {
    const opened: Subscriber[] = [];
    const openSome = async (count: number) => {
      const { byOperation } = await countCalls(env.sandbox, async () => {
        opened.push(...(await open(count, NO_READS, { id: CHECKED })));
        await subscribed(env.gateway, opened.length);
      });
      return byOperation.getAccount ?? 0;
    };
    expect(await openSome(1)).toBe(1);
    expect(await openSome(4)).toBe(0);

    // Klarna forbids the principal something (a card settlement for a key it never enrolled): its verdicts are dropped.
    const forbidden = await gql(env.gateway, `query { cardSettlement(id: "${randomUUID()}", keyId: "never-enrolled") { klarnaId } }`);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await openSome(1)).toBe(1);
    expect(await openSome(1)).toBe(0);

    // The account's state changed: every principal's verdict on it is dropped, and asked again once
    // (here by the delivery of that very event to the open subscriptions, which must check it anyway).
    const changed = operationalEvent(CHECKED);
    const { byOperation } = await countCalls(env.sandbox, async () => {
      expect((await sendWebhook(ingressUrl(env.gateway), changed)).status).toBe(202);
      await Promise.all(opened.map((subscriber) => subscriber.waitFor(1)));
      opened.push(...(await open(1, NO_READS, { id: CHECKED })));
      await subscribed(env.gateway, opened.length);
    });
    expect(byOperation.getAccount).toBe(1);
    expect(await openSome(2)).toBe(0);
  });

  it("drops the verdicts on an account whose state changed even when no subscriber is open: the next subscription asks Klarna again", async () => {
    const openOne = async () => {
      const { byOperation } = await countCalls(env.sandbox, async () => {
        await open(1, NO_READS, { id: UNWATCHED });
        await subscribed(env.gateway, 1);
      });
      await closeAll();
      return byOperation.getAccount ?? 0;
    };
    expect(await openOne()).toBe(1);
    expect(await openOne()).toBe(0); // kept for the principal

    // Nobody listens now. The replica is told the event before its 202 reaches the sender (the fan-out
    // starts on the turn after the append), so nothing here waits for a delivery.
    expect((await sendWebhook(ingressUrl(env.gateway), operationalEvent(UNWATCHED))).status).toBe(202);
    expect(await openOne()).toBe(1);
    expect(await openOne()).toBe(0);

    // An event that does not change access (a product's) keeps the verdict.
    expect((await sendWebhook(ingressUrl(env.gateway), productEvent({ accountId: UNWATCHED }))).status).toBe(202);
    expect(await openOne()).toBe(0);
  });
});

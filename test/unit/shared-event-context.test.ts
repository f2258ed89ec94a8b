/**
 * `sharedContextPerEvent` (src/subscription-context.ts) at the scale (#12): 2 principals ×
 * 5,000 subscribers of one event cost one read per principal per object, each subscriber answered
 * with what its own principal's credentials read; nothing is shared across principals. In process,
 * with a stub context factory whose loaders count their reads (no sockets, no timings).
 */
import DataLoader from 'dataloader';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PASSTHROUGH_CALLER } from '../../src/auth/caller.ts';
import type { GatewayContext } from '../../src/context.ts';
import { sharedContextPerEvent } from '../../src/subscription-context.ts';

type Subscription = GatewayContext & { request: Request };
const PER_PRINCIPAL = 5_000;

/** A context factory whose contexts read `account` and `product` through loaders that count, by principal. */
function countingFactory() {
  const reads = new Map<string, number>();
  let contexts = 0;
  const createContext = (_headers: Headers, _request?: unknown, auth?: { principal: GatewayContext['principal'] }) => {
    contexts += 1;
    const principal = auth!.principal.hash;
    const loader = (object: string) =>
      new DataLoader<string, string>(async (ids) => {
        const key = `${principal} ${object}`;
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return ids.map((id) => `${object} ${id} as read by ${principal}`);
      });
    const budget = { arm: () => undefined, release: () => undefined };
    return { principal: auth!.principal, loaders: { account: loader('account'), product: loader('product') }, budget } as unknown as GatewayContext;
  };
  return { createContext, reads, contexts: () => contexts };
}

function subscription(principal: string): Subscription {
  return {
    principal: { hash: principal },
    caller: PASSTHROUGH_CALLER,
    budget: {},
    request: new Request('http://gateway.internal/graphql'),
  } as unknown as Subscription;
}

describe('sharedContextPerEvent', () => {
  it('reads each object once per principal per event for 2 principals × 5,000 subscribers, each seeing its own', async () => {
    const factory = countingFactory();
    const sharing = sharedContextPerEvent(factory.createContext);
    const runners = ['alice', 'bob'].flatMap((principal) => Array.from({ length: PER_PRINCIPAL }, () => ({ principal, run: sharing.runnerFor(subscription(principal)) })));
    // Two selections, alternating: an identical one is executed once per principal, another once more.
    const loaders = (context: Subscription) => context.loaders as unknown as Record<'account' | 'product', DataLoader<string, string>>;
    const selections: Record<string, (context: Subscription) => Promise<ExecutionResult>> = {
      both: async (context) => ({ data: { account: await loaders(context).account.load('A'), product: await loaders(context).product.load('P') } }),
      account: async (context) => ({ data: { account: await loaders(context).account.load('A') } }),
    };
    let executions = 0;
    for (const event of ['event-1', 'event-2']) {
      const results = await Promise.all(
        runners.map(({ run }, index) => {
          const selection = index % 2 === 0 ? 'both' : 'account';
          return run(event, selection, (context) => {
            executions += 1;
            return selections[selection]!(context);
          });
        }),
      );
      runners.forEach(({ principal }, index) => {
        const data = results[index]!.data as { account: string; product?: string };
        expect(data.account).toBe(`account A as read by ${principal}`);
        if (index % 2 === 0) expect(data.product).toBe(`product P as read by ${principal}`);
      });
    }
    // Per event: one context and one read per object per principal; two selections per principal.
    expect(factory.contexts()).toBe(2 * 2);
    expect(Object.fromEntries(factory.reads)).toEqual({ 'alice account': 2, 'alice product': 2, 'bob account': 2, 'bob product': 2 });
    expect(executions).toBe(2 * 2 * 2);
  });
});

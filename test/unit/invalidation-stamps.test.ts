/**
 * In-process invalidation stamps: an answer is stored only if nothing in it was invalidated after the
 * operation's mark; forgotten stamps refuse the marks they could have judged.
 */
import { createInMemoryCache } from '@graphql-yoga/plugin-response-cache';
import { describe, expect, it } from 'vitest';
import { withMemoryStamps } from '../../src/plugins/invalidation-stamps.ts';

const answer = (name: string) => ({ data: { account: { name } } });
const account = (id: string) => ({ typename: 'Account', id });

describe('in-process invalidation stamps', () => {
  it('refuses an answer begun before an invalidation of an entity in it, and stores one begun after', async () => {
    const store = withMemoryStamps(createInMemoryCache());
    const before = await store.mark();
    await store.invalidate([account('A')]);
    expect(await store.setIfFresh(before, 'q1', answer('old'), [account('A'), account('B')], 60_000)).toBe(false);
    expect(await store.get('q1')).toBeFalsy();
    // Another entity's invalidation does not concern it.
    expect(await store.setIfFresh(before, 'q2', answer('other'), [account('B')], 60_000)).toBe(true);
    const after = await store.mark();
    expect(await store.setIfFresh(after, 'q1', answer('new'), [account('A')], 60_000)).toBe(true);
    expect(await store.get('q1')).toEqual(answer('new'));
  });

  it('a type-wide invalidation refuses every answer of that type begun before it', async () => {
    const store = withMemoryStamps(createInMemoryCache());
    const before = await store.mark();
    await store.invalidate([{ typename: 'Account' }]);
    expect(await store.setIfFresh(before, 'q', answer('old'), [account('Z')], 60_000)).toBe(false);
  });

  it('forgets the oldest stamps past its bound, and then refuses the marks taken before them', async () => {
    const store = withMemoryStamps(createInMemoryCache(), { maxStamps: 2 });
    const first = await store.mark();
    await store.invalidate([account('A')]);
    const second = await store.mark();
    await store.invalidate([account('B')]);
    await store.invalidate([account('C')]); // A's stamp is forgotten
    expect(await store.setIfFresh(first, 'q', answer('x'), [account('D')], 60_000)).toBe(false);
    expect(await store.setIfFresh(second, 'q', answer('x'), [account('D')], 60_000)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/sandbox/errors.ts';
import { paginate } from '../../src/sandbox/paging.ts';

const items = Array.from({ length: 45 }, (_, index) => ({ id: `item-${index}` }));
const idOf = (item: { id: string }) => item.id;

describe('paginate', () => {
  it('answers the first page with the default size of 20 and a cursor to the next page', () => {
    const page = paginate(items, {}, idOf, '/things');
    expect(page.items.map(idOf)).toEqual(items.slice(0, 20).map(idOf));
    expect(page.pagination).toMatchObject({ count: 20, total: 45, first_item: null, last_item: 'item-19' });
    expect(page.pagination.links?.next?.href).toBe('/things?size=20&starting_after=item-19');
  });

  it('walks forward with starting_after, exclusive of the cursor, until last_item is null', () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = paginate(items, { size: 20, ...(cursor ? { starting_after: cursor } : {}) }, idOf);
      seen.push(...page.items.map(idOf));
      cursor = page.pagination.last_item;
    } while (cursor);
    expect(seen).toEqual(items.map(idOf));
  });

  it('walks backward with ending_before, exclusive of the cursor', () => {
    const page = paginate(items, { size: 10, ending_before: 'item-15' }, idOf);
    expect(page.items.map(idOf)).toEqual(items.slice(5, 15).map(idOf));
    expect(page.pagination.first_item).toBe('item-5');
    expect(page.pagination.last_item).toBe('item-14');
  });

  it('rejects starting_after together with ending_before', () => {
    expect(() => paginate(items, { starting_after: 'item-1', ending_before: 'item-9' }, idOf)).toThrow(SandboxError);
  });

  it('rejects a cursor that names no item of the list', () => {
    try {
      paginate(items, { starting_after: 'nope' }, idOf);
      expect.unreachable();
    } catch (error) {
      expect((error as SandboxError).validationErrors[0]?.parameter).toBe('query.starting_after');
    }
  });
});

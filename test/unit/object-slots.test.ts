/** A value kept on its owner under a private symbol: the owner's own, never a copy's or a child's. */
import { describe, expect, it } from 'vitest';
import { objectSlot } from '../../src/object-slots.ts';

describe('objectSlot', () => {
  it('keeps a value on its owner, apart from another slot of the same description', () => {
    const started = objectSlot<number>('started');
    const other = objectSlot<number>('started');
    const request = {};
    expect(started.get(request)).toBeUndefined();
    started.set(request, 1);
    started.set(request, 2);
    expect(started.get(request)).toBe(2);
    expect(other.get(request)).toBeUndefined();
    started.delete(request);
    expect(started.get(request)).toBeUndefined();
  });

  it('is neither copied by a spread nor inherited by Object.create, and does not show in keys or JSON', () => {
    const state = objectSlot<string>('state');
    const context = { requestId: 'r1' };
    state.set(context, 'told');
    expect(state.get({ ...context })).toBeUndefined();
    expect(state.get(Object.create(context) as object)).toBeUndefined();
    expect(Reflect.ownKeys({ ...context })).toEqual(['requestId']);
    expect(JSON.stringify(context)).toBe('{"requestId":"r1"}');
  });

  it('keeps several slots of one owner apart, under one hidden property however many there are', () => {
    const id = objectSlot<string>('id');
    const calls = objectSlot<number>('calls');
    const request = {};
    id.set(request, 'r1');
    calls.set(request, 3);
    calls.delete(request);
    expect(id.get(request)).toBe('r1');
    expect(calls.get(request)).toBeUndefined();
    expect(Object.getOwnPropertySymbols(request)).toHaveLength(1);
    expect(Object.keys(request)).toEqual([]);
  });
});

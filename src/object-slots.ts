/**
 * Per-request state kept on the per-request object itself (a Request, its Headers, an operation's
 * context) under a module-private symbol, so it lives and dies with that object.
 *
 * Why not a module-wide `WeakMap` keyed by those objects: each such table holds an entry per request
 * until a full GC clears it, and every young-generation GC has to walk the entries whose keys are
 * young. Under load a heap snapshot showed a dozen such tables at ~32 KB each, and the gateway's
 * scavenges took 1.7x the bare gateway's; moving three of them onto their objects cut the time per
 * scavenge by ~13% (`bench/overhead.ts` with GC counters).
 */
export interface ObjectSlot<T> {
  /** The value set on `owner` itself (never one inherited from its prototype), if any. */
  get(owner: object): T | undefined;
  set(owner: object, value: T): void;
  delete(owner: object): void;
}

/**
 * An owner's slots sit together in one plain object, itself kept on the owner under one hidden
 * property: defining a hidden property is a runtime call (~1 µs under load), setting a property of
 * a plain object is not, and a request carries five or so slots (its id, its authentication, its call
 * allowance, when it started, its auth-failure decision).
 */
type Slots = Record<symbol, unknown>;
const SLOTS = Symbol('object slots');

/** `owner`'s own slots (never inherited), made on first need when `make`. */
function slotsOf(owner: object, make: true): Slots;
function slotsOf(owner: object, make?: false): Slots | undefined;
function slotsOf(owner: object, make = false): Slots | undefined {
  if (Object.hasOwn(owner, SLOTS)) return (owner as { [SLOTS]: Slots })[SLOTS];
  if (!make) return undefined;
  const slots: Slots = {};
  // Hidden (not enumerable), so copies of the owner (`{ ...context }`) never carry the slots.
  Object.defineProperty(owner, SLOTS, { value: slots, writable: false, configurable: true, enumerable: false });
  return slots;
}

/**
 * A slot: a private symbol in the owner's hidden slots, so copies of the owner (`{ ...context }`,
 * `Object.create(context)`) never carry or inherit it, as they never shared a WeakMap entry.
 */
export function objectSlot<T>(description: string): ObjectSlot<T> {
  const key = Symbol(description);
  return {
    get: (owner) => slotsOf(owner)?.[key] as T | undefined,
    set: (owner, value) => {
      slotsOf(owner, true)[key] = value;
    },
    delete: (owner) => {
      // Left in place as undefined: deleting a property would turn the slots into a slow dictionary object.
      const slots = slotsOf(owner);
      if (slots && key in slots) slots[key] = undefined;
    },
  };
}

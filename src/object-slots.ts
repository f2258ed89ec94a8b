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

/** How a slot is first defined on its owner (one descriptor for all, not one per request): hidden and writable. */
const HIDDEN_SLOT: PropertyDescriptor = Object.freeze({ value: undefined, writable: true, configurable: true, enumerable: false });

/**
 * A slot: a private, non-enumerable symbol property, so copies of the owner (`{ ...context }`,
 * `Object.create(context)`) never carry or inherit it, as they never shared a WeakMap entry.
 */
export function objectSlot<T>(description: string): ObjectSlot<T> {
  const key = Symbol(description);
  type Owner = { [key]?: T };
  return {
    get: (owner) => (Object.hasOwn(owner, key) ? (owner as Owner)[key] : undefined),
    set: (owner, value) => {
      if (!Object.hasOwn(owner, key)) Object.defineProperty(owner, key, HIDDEN_SLOT);
      (owner as Owner)[key] = value;
    },
    delete: (owner) => {
      // Left in place as undefined: deleting a property would turn the owner into a slow dictionary object.
      if (Object.hasOwn(owner, key)) (owner as Owner)[key] = undefined;
    },
  };
}

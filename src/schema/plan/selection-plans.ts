/**
 * Read plans made once per document rather than once per request.
 *
 * A resolver's read plan (what to expand, which pages to start with the read) is a function of the
 * selection under its field: that selection's fields, their arguments and directives, the fragments
 * it spreads and the variables those read. Yoga parses a query text once and hands every request of
 * that text the same `DocumentNode` (its parse cache; a persisted operation likewise), so the field
 * nodes a resolver sees are the same objects request after request. When the selection under them
 * reads no variable, their plan is the same for every request, and it is made once and kept beside
 * them (walking the selection and resolving its arguments cost ~15 KB of garbage per Dashboard).
 * When it reads one, the plan is made per request, once per field: kept on the request's own object
 * (its context), in a slot of this instance (`objectSlot`), not in a module-wide table keyed by per-request
 * objects, which would be one more ephemeron table for every young-generation GC to walk.
 *
 * Kept in a `WeakMap` keyed by field nodes, which live as long as the cached document: an entry goes
 * with its document. Plans are shared between requests, so they are frozen.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode } from 'graphql';
import { objectSlot } from '../../object-slots.ts';

interface Entry<T> {
  /** The field's occurrences (aliases and fragments merged), as execution handed them over. */
  nodes: readonly FieldNode[];
  /** Whether the selection under them reads a variable (then no plan is kept here). */
  readsVariables: boolean;
  plan: T | undefined;
}

export class SelectionPlans<T extends object> {
  /** By the first of a field's nodes; a list, as one node may be merged with different others. */
  private readonly entries = new WeakMap<FieldNode, Entry<T>[]>();
  /** Where a request's own plans (selections reading variables) are kept on its object, by field nodes. */
  private readonly requestPlans = objectSlot<Map<readonly FieldNode[], T>>('plans of this request');

  /** `make`: the plan of the field being resolved, from its `info` (a pure function of the selection and variables). */
  constructor(private readonly make: (info: GraphQLResolveInfo) => T) {}

  /**
   * The plan of the field being resolved. `request` (the request's context), when given, keeps a plan
   * that depends on the variables for the rest of the request (a list field resolves many items with
   * one `fieldNodes`); without it, such a plan is made on every call.
   */
  of(info: GraphQLResolveInfo, request?: object): T {
    const entry = this.entryOf(info);
    if (!entry.readsVariables) return (entry.plan ??= frozen(this.make(info)));
    if (!request) return this.make(info);
    let plans = this.requestPlans.get(request);
    if (!plans) this.requestPlans.set(request, (plans = new Map()));
    let plan = plans.get(info.fieldNodes);
    if (!plan) plans.set(info.fieldNodes, (plan = this.make(info)));
    return plan;
  }

  private entryOf(info: GraphQLResolveInfo): Entry<T> {
    const nodes = info.fieldNodes;
    const first = nodes[0]!;
    let list = this.entries.get(first);
    if (!list) this.entries.set(first, (list = []));
    for (const entry of list) if (sameNodes(entry.nodes, nodes)) return entry;
    const entry: Entry<T> = { nodes: [...nodes], readsVariables: nodes.some((node) => node.selectionSet !== undefined && readsVariables(node.selectionSet, info.fragments, new Set())), plan: undefined };
    list.push(entry);
    return entry;
  }
}

/** The plan and its lists frozen: one object is handed to every request. */
function frozen<T extends object>(plan: T): T {
  for (const value of Object.values(plan)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(plan);
}

function sameNodes(a: readonly FieldNode[], b: readonly FieldNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** Whether a selection set (with the fragments it spreads) reads a variable in an argument or a directive. */
export function readsVariables(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.directives?.some((directive) => directive.arguments?.some((argument) => hasVariable(argument.value)))) return true;
    if (selection.kind === Kind.FIELD) {
      if (selection.arguments?.some((argument) => hasVariable(argument.value))) return true;
      if (selection.selectionSet && readsVariables(selection.selectionSet, fragments, seen)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (readsVariables(selection.selectionSet, fragments, seen)) return true;
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = fragments[name];
      if (fragment && readsVariables(fragment.selectionSet, fragments, seen)) return true;
    }
  }
  return false;
}

function hasVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(hasVariable);
    case Kind.OBJECT:
      return value.fields.some((field) => hasVariable(field.value));
    default:
      return false;
  }
}

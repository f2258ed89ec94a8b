/**
 * Looking ahead into the current field's selection set, so a resolver can start every upstream call
 * the operation will need at once (one round trip per level of real dependency) instead of letting
 * child resolvers discover them one level at a time.
 *
 * Contract: the lookahead sees what execution will resolve, and nothing more.
 * - Fields, fragment spreads and inline fragments carrying `@skip(if: true)` or `@include(if: false)`
 *   are left out, with `if` given literally or as a variable (graphql-js's own rule, `getDirectiveValues`
 *   over the operation's variables), so a skipped sub-resource is never expanded or fetched.
 * - Fragments (named, inline, deferred) and aliases are merged; a field's `args` has one entry per
 *   occurrence, resolved against the operation's variables.
 * - Fields unknown to the parent type are ignored (a fragment on another member of an abstract type).
 * Children are collected lazily, only when a planner asks for them.
 *
 * The same walk serves before execution (`selectedFields`, for the call planner of `calls.ts`) and
 * inside a resolver (`lookahead`): both see the selection as execution will.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLField,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';

export interface SelectedField {
  /** One entry per occurrence of the field (aliases), with its resolved arguments. */
  args: Record<string, unknown>[];
  /** The field's own sub-selections. */
  children: () => Map<string, SelectedField>;
}

type Selection = FieldNode | FragmentSpreadNode | InlineFragmentNode;

/** What a walk over selections needs besides the selections: a resolver's `info` is one. */
export type SelectionScope = Pick<GraphQLResolveInfo, 'schema' | 'fragments' | 'variableValues'>;

/** Whether execution will visit this selection, by its `@skip` and `@include` directives. */
export function isIncluded(selection: Selection, variableValues: GraphQLResolveInfo['variableValues']): boolean {
  if (!selection.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, selection, variableValues)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variableValues)?.if !== false;
}

/** The selection sets of a field's occurrences (a loop: `flatMap` costs more than the walk it serves). */
export function selectionSetsOf(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const node of nodes) if (node.selectionSet) sets.push(node.selectionSet);
  return sets;
}

/** The fields selected by `selectionSets` on a value of type `parentTypeName`, by field name. */
export function selectedFields(
  info: SelectionScope,
  parentTypeName: string,
  selectionSets: readonly SelectionSetNode[],
): Map<string, SelectedField> {
  const parentType = info.schema.getType(parentTypeName);
  const fields = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields() : {};
  const nodesByName = new Map<string, FieldNode[]>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!isIncluded(selection, info.variableValues)) continue;
      if (selection.kind === Kind.FIELD) {
        const list = nodesByName.get(selection.name.value) ?? [];
        list.push(selection);
        nodesByName.set(selection.name.value, list);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  selectionSets.forEach(visit);
  const result = new Map<string, SelectedField>();
  for (const [name, nodes] of nodesByName) {
    const definition = fields[name] as GraphQLField<unknown, unknown> | undefined;
    if (definition) result.set(name, new LazySelectedField(info, definition, nodes));
  }
  return result;
}

/**
 * A selected field whose arguments and children are resolved once, when first asked for: most
 * selected fields are never asked about. (A class: its getter lives on the prototype, where an object
 * literal's getter would cost an accessor pair per field.)
 */
class LazySelectedField implements SelectedField {
  private resolvedArgs: Record<string, unknown>[] | undefined;
  private resolvedChildren: Map<string, SelectedField> | undefined;

  constructor(
    private readonly scope: SelectionScope,
    private readonly definition: GraphQLField<unknown, unknown>,
    private readonly nodes: readonly FieldNode[],
  ) {}

  get args(): Record<string, unknown>[] {
    const { definition, scope } = this;
    return (this.resolvedArgs ??= this.nodes.map((node) => (definition.args.length ? getArgumentValues(definition, node, scope.variableValues) : {})));
  }

  children(): Map<string, SelectedField> {
    return (this.resolvedChildren ??= selectedFields(this.scope, getNamedType(this.definition.type).name, selectionSetsOf(this.nodes)));
  }
}

/** The fields selected under the field being resolved. */
export function lookahead(info: GraphQLResolveInfo): Map<string, SelectedField> {
  return selectedFields(info, getNamedType(info.returnType).name, selectionSetsOf(info.fieldNodes));
}

/** The field being resolved as its parent's lookahead would describe it (for planners that take one). */
export function currentSelection(info: GraphQLResolveInfo): SelectedField {
  return { args: [], children: () => lookahead(info) };
}

/** The selection under a connection field's `edges { node { ... } }`. */
export function connectionNodes(field: SelectedField | undefined): Map<string, SelectedField> {
  return field?.children().get('edges')?.children().get('node')?.children() ?? new Map();
}

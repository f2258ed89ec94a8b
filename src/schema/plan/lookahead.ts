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

/** Whether execution will visit this selection, by its `@skip` and `@include` directives. */
function isIncluded(selection: Selection, variableValues: GraphQLResolveInfo['variableValues']): boolean {
  if (!selection.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, selection, variableValues)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variableValues)?.if !== false;
}

function collect(
  info: GraphQLResolveInfo,
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
    if (!definition) continue;
    const childType = getNamedType(definition.type).name;
    result.set(name, {
      args: nodes.map((node) => getArgumentValues(definition, node, info.variableValues)),
      children: () => collect(info, childType, nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []))),
    });
  }
  return result;
}

/** The fields selected under the field being resolved. */
export function lookahead(info: GraphQLResolveInfo): Map<string, SelectedField> {
  const typeName = getNamedType(info.returnType).name;
  return collect(info, typeName, info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])));
}

/** The field being resolved as its parent's lookahead would describe it (for planners that take one). */
export function currentSelection(info: GraphQLResolveInfo): SelectedField {
  return { args: [], children: () => lookahead(info) };
}

/** The selection under a connection field's `edges { node { ... } }`. */
export function connectionNodes(field: SelectedField | undefined): Map<string, SelectedField> {
  return field?.children().get('edges')?.children().get('node')?.children() ?? new Map();
}

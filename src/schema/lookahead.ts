/**
 * Looking ahead into the current field's selection set, so a resolver can start every upstream call
 * the operation will need at once (one round trip per level of real dependency) instead of letting
 * child resolvers discover them one level at a time. Fragments and aliases are merged; arguments are
 * resolved against the operation's variables.
 */
import {
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

export interface SelectedField {
  /** One entry per occurrence of the field (aliases), with its resolved arguments. */
  args: Record<string, unknown>[];
  /** The field's own sub-selections. */
  children: () => Map<string, SelectedField>;
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

/** The selection under a connection field's `edges { node { ... } }`. */
export function connectionNodes(field: SelectedField | undefined): Map<string, SelectedField> {
  return field?.children().get('edges')?.children().get('node')?.children() ?? new Map();
}

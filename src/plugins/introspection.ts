/**
 * Introspection policy, as validation rules:
 *
 * - off (production, unless `INTROSPECTION=true`): `__schema` and `__type` are refused with
 *   INTROSPECTION_DISABLED (`__typename` stays: clients need it for unions);
 * - on: introspection may nest lists of schema objects at most `maxListNesting` deep. GraphiQL's own
 *   query needs 3 (`types { fields { args } }`); the "circular introspection" attack,
 *   `types { fields { type { fields { type { fields ... } } } } }`, multiplies its answer by every
 *   level (types × fields × fields × ...) and is refused with QUERY_TOO_DEEP.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLList,
  isIntrospectionType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusals.ts';

const disabledRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        refusal('INTROSPECTION_DISABLED', 'Introspection is disabled on this gateway. The schema is published with its documentation.', { nodes: [node] }),
      );
    }
  },
});

/** The deepest nesting of introspection lists under `selectionSet`, following fragments. */
function listNesting(context: ValidationContext, selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, fragments: Map<string, number>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const field =
        name === '__schema'
          ? SchemaMetaFieldDef
          : name === '__type'
            ? TypeMetaFieldDef
            : parentType && (isObjectType(parentType) || isInterfaceType(parentType))
              ? parentType.getFields()[name]
              : undefined;
      if (!field || !selection.selectionSet) continue; // unknown fields are other rules' business
      const type = getNamedType(field.type);
      const isList = getNullableType(field.type) instanceof GraphQLList && isIntrospectionType(type);
      depth = (isList ? 1 : 0) + listNesting(context, selection.selectionSet, type, fragments);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? context.getSchema().getType(selection.typeCondition.name.value) : parentType;
      depth = listNesting(context, selection.selectionSet, type ?? undefined, fragments);
    } else {
      const name = selection.name.value;
      const known = fragments.get(name);
      if (known !== undefined) {
        depth = known;
      } else {
        const fragment = context.getFragment(name);
        if (!fragment) continue;
        fragments.set(name, 0); // a cycle (refused by NoFragmentCycles) counts as nothing here
        depth = listNesting(context, fragment.selectionSet, context.getSchema().getType(fragment.typeCondition.name.value) ?? undefined, fragments);
        fragments.set(name, depth);
      }
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

function nestingRule(maxListNesting: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const rootType = context.getSchema().getRootType(node.operation) ?? undefined;
      const nesting = listNesting(context, node.selectionSet, rootType, new Map());
      if (nesting > maxListNesting) {
        context.reportError(
          refusal('QUERY_TOO_DEEP', `Introspection may nest lists of schema objects at most ${maxListNesting} deep; this operation nests ${nesting}.`, {
            nodes: [node],
          }),
        );
      }
    },
  });
}

export function useIntrospectionPolicy({ enabled, maxListNesting = 3 }: { enabled: boolean; maxListNesting?: number }): Plugin {
  const rule = enabled ? nestingRule(maxListNesting) : disabledRule;
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

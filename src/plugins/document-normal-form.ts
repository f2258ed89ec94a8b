/**
 * The normal form of an executable GraphQL document, for the persisted-operations allow-list: two
 * documents with the same normal form ask for the same thing, so a client that sends a listed
 * operation as it printed it (Apollo, urql and graphql-ws send `print(doc)` of the document as written,
 * while GraphQL Code Generator lists a sorted, whitespace-normalised print) is recognised.
 *
 * What the normal form forgets, and why that is safe:
 * - whitespace, commas and comments (they mean nothing to GraphQL);
 * - the order of definitions, of variable definitions, of arguments, and of the selections in a
 *   selection set (a field's value does not depend on its neighbours), except the root fields of a
 *   mutation, which run one after another in the order written;
 * - unaliased `__typename` fields without directives (Apollo Client adds them to every selection set;
 *   they cost nothing and name only a type of the public schema).
 */
import { Kind, print, type ASTNode, type DirectiveNode, type DocumentNode, type SelectionNode, type SelectionSetNode } from 'graphql';

/** Nodes sorted by their printed text (already in normal form). */
function sorted<T extends ASTNode>(nodes: readonly T[] | undefined): T[] | undefined {
  if (!nodes) return undefined;
  return nodes
    .map((node) => [print(node), node] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, node]) => node);
}

const isPlainTypename = (node: SelectionNode) =>
  node.kind === Kind.FIELD && node.name.value === '__typename' && !node.alias && !node.directives?.length;

const directives = (nodes: readonly DirectiveNode[] | undefined) => nodes?.map((node) => ({ ...node, arguments: sorted(node.arguments) }));

/** The normal form of a parsed executable document, as text (equal texts: equivalent documents). */
export function normalForm(document: DocumentNode): string {
  // Mutation root fields run in the order written: their selection sets (with the inline fragments
  // and the fragments spread there) keep their order.
  const orderedFragments = new Set<string>();
  const selectionSet = (set: SelectionSetNode, ordered: boolean): SelectionSetNode => {
    const selections = set.selections.filter((node) => !isPlainTypename(node)).map((node): SelectionNode => {
      if (node.kind === Kind.FIELD) {
        return { ...node, arguments: sorted(node.arguments), directives: directives(node.directives), ...(node.selectionSet ? { selectionSet: selectionSet(node.selectionSet, false) } : {}) };
      }
      if (node.kind === Kind.INLINE_FRAGMENT) return { ...node, directives: directives(node.directives), selectionSet: selectionSet(node.selectionSet, ordered) };
      if (ordered) orderedFragments.add(node.name.value);
      return { ...node, directives: directives(node.directives) };
    });
    return { ...set, selections: ordered ? selections : sorted(selections)! };
  };
  const operations = document.definitions.map((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? { ...definition, variableDefinitions: sorted(definition.variableDefinitions), directives: directives(definition.directives), selectionSet: selectionSet(definition.selectionSet, definition.operation === 'mutation') }
      : definition,
  );
  const definitions = operations.map((definition) =>
    definition.kind === Kind.FRAGMENT_DEFINITION
      ? { ...definition, directives: directives(definition.directives), selectionSet: selectionSet(definition.selectionSet, orderedFragments.has(definition.name.value)) }
      : definition,
  );
  return print({ ...document, definitions: sorted(definitions)! });
}

/** The one SchemaBuilder and its plugins. Domain files add their types to it; `index.ts` builds the schema. */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { SchemaContext } from './context.ts';
import { accessPolicyPlugin, forbidden, scopesOf, type AuthScopes } from './access-policy.ts';
import { decodeGlobalId, encodeGlobalId } from './global-ids.ts';

export const builder = new SchemaBuilder<{
  Context: SchemaContext;
  DefaultFieldNullability: false;
  AuthScopes: AuthScopes;
  DefaultAuthStrategy: 'all';
  Scalars: {
    DateTime: { Input: string; Output: string };
    Long: { Input: number; Output: number };
  };
}>({
  // Errors first, so it catches scope-auth's refusals (mutations answer ForbiddenError in their union).
  plugins: [ErrorsPlugin, RelayPlugin, ScopeAuthPlugin, accessPolicyPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  // Who may do what: the rules are `access-rules.ts`, checked before any resolver runs.
  scopeAuth: {
    authScopes: (context) => scopesOf(context.caller),
    defaultStrategy: 'all',
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context, _info, result) => forbidden(context.caller, result.failure),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // `node` and `nodes` are `nodes.ts`, which checks every id before anything is read.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    // Ids are handed out in the compact form; any `globalID` argument decodes strictly, in either form
    // (BAD_USER_INPUT, never Pothos's uncoded error).
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, String(id)),
    decodeGlobalID: (globalId) => decodeGlobalId(globalId),
    idFieldOptions: { description: 'Global id of the object: pass it to `node(id:)` to read it again.' },
    nodeTypeOptions: { description: 'An object with a global id that `node(id:)` reads again.' },
    pageInfoTypeOptions: { description: 'Where a page is within its connection.' },
    hasNextPageFieldOptions: { description: 'More items follow: ask again with `after: endCursor`.' },
    hasPreviousPageFieldOptions: { description: 'Items precede: ask again with `last` and `before: startCursor`.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page.' },
    edgesFieldOptions: { description: 'The items of the page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Where this page is within the connection.' },
    cursorFieldOptions: { description: 'Opaque position of this item, for `after` / `before`.' },
    nodeFieldOptions: { description: 'The item.' },
    firstArgOptions: { description: 'Page forward: at most this many items (1 to 100; default 20).' },
    afterArgOptions: { description: 'Page forward after this cursor.' },
    lastArgOptions: { description: 'Page backward: at most this many items before `before` (1 to 100).' },
    beforeArgOptions: { description: 'Page backward before this cursor.' },
    defaultConnectionTypeOptions: { description: 'A page of items, in Relay connection form over Klarna cursor paging.' },
    defaultEdgeTypeOptions: { description: 'One item of a page with its cursor.' },
  },
  errors: {
    defaultTypes: [],
    // A mutation answers `<Mutation>Result = <Payload> | ValidationError | NotFoundError | ...`.
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result`,
      description: 'The payload when the mutation happened, or why it did not.',
    },
  },
});

builder.queryType({ description: 'Read Klarna partner accounts, settlements and card orders.' });
builder.mutationType({ description: 'Change Klarna partner accounts, credentials, portal access and card orders. Each write is applied exactly once.' });
builder.subscriptionType({ description: "Klarna's events as they happen (webhooks, and card order cancellations the gateway polls), over graphql-ws or SSE." });

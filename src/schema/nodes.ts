/**
 * `node(id:)` and `nodes(ids:)`: any object by its global id, read by its type's `loadOne` (Pothos's
 * `resolveNodes`). They are written here rather than by the relay plugin so that every id is checked
 * (`global-ids.ts`) before anything is read, and answers with a stable code: a malformed id refuses
 * the field (BAD_USER_INPUT naming `id` or `ids.<index>`, no call at all), an id of a type that cannot
 * be read is NOT_FOUND (in `nodes`, for that item alone).
 */
import { brandWithType } from '@pothos/core';
import { resolveNodes } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import type { SchemaContext } from './context.ts';
import { builder } from './builder.ts';
import { readableNodeId } from './global-ids.ts';

const NodeRef = builder.nodeInterfaceRef();

/**
 * The object a checked global id names, read with every other id of the request (one batch per type,
 * one read per object). Branded with its type here: an id asked for twice gets the first read's object,
 * which `resolveNodes` brands only once that first read has finished, possibly after this one.
 */
async function load(context: SchemaContext, info: GraphQLResolveInfo, node: { typename: string; id: string }): Promise<unknown> {
  const [loaded] = await resolveNodes(builder, context, info, [node]);
  const value: unknown = await loaded;
  // (Pothos types the brand as a type ref of the builder; a type name is what it stores.)
  brandWithType(value, node.typename as Parameters<typeof brandWithType>[1]);
  return value;
}

builder.queryFields((t) => ({
  node: t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any object with an identity, by its global `id` (as every type returns it).',
    args: { id: t.arg.id({ required: true, description: 'A global id returned by this API.' }) },
    resolve: async (_root, args, context, info) => {
      const node = readableNodeId(String(args.id), 'id');
      if (node instanceof Error) throw node;
      return (await load(context, info, node)) as object | null;
    },
  }),
  nodes: t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Several objects by their global ids, in order; null where one cannot be read.',
    args: { ids: t.arg.idList({ required: true, description: 'Global ids returned by this API.' }) },
    resolve: (_root, args, context, info) => {
      // Every id is checked before any is read, so one malformed id refuses the list without a call.
      const nodes = args.ids.map((id, index) => readableNodeId(String(id), `ids.${index}`));
      // An Error item is answered as null with its error at that index (GraphQL completes list items so).
      return nodes.map((node) => (node instanceof Error ? node : load(context, info, node))) as (object | null)[];
    },
  }),
}));

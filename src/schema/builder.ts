/** The one SchemaBuilder and its plugins. Domain files add their types to it; `index.ts` builds the schema. */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { GatewayContext } from '../context.ts';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: string };
    Long: { Input: number; Output: number };
  };
}>({
  plugins: [ErrorsPlugin, RelayPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { description: 'Any object with an identity, by its global `id` (as every type returns it).' },
    nodesQueryOptions: { description: 'Several objects by their global ids, in order; null where one cannot be read.' },
  },
  errors: { defaultTypes: [] },
});

builder.queryType({ description: 'Read Klarna partner accounts, settlements and card orders.' });

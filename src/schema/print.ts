/**
 * The checked-in files printed from the schema, as `npm run schema` writes them and a test compares them:
 * the SDL, and the possible types of every union and interface for clients' caches.
 */
import { fileURLToPath } from 'node:url';
import { isAbstractType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from './index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
export const POSSIBLE_TYPES_FILE = fileURLToPath(new URL('../../possible-types.json', import.meta.url));

export const printSchemaFile = () =>
  `# Generated from src/schema by \`npm run schema\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(buildSchema()))}\n`;

/**
 * `{ "<union or interface>": ["<object type>", ...] }`, every name sorted: Apollo Client's
 * `InMemoryCache({ possibleTypes })` format (and `@graphql-codegen/fragment-matcher`'s), without which
 * it cannot tell that a `NotFoundError` matches `... on UserError`.
 */
export function possibleTypesOf(schema: GraphQLSchema): Record<string, string[]> {
  const abstractTypes = Object.values(schema.getTypeMap()).filter(isAbstractType).sort((a, b) => (a.name < b.name ? -1 : 1));
  return Object.fromEntries(abstractTypes.map((type) => [type.name, schema.getPossibleTypes(type).map((object) => object.name).sort()]));
}

export const printPossibleTypesFile = () => `${JSON.stringify(possibleTypesOf(buildSchema()), null, 2)}\n`;

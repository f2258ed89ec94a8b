/** The checked-in SDL of the schema, as `npm run schema` writes it and a test compares it. */
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

export const printSchemaFile = () =>
  `# Generated from src/schema by \`npm run schema\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(buildSchema()))}\n`;

/**
 * `npm run schema`: prints the schema built from the code to `schema.graphql`, and the possible types of
 * its unions and interfaces (for Apollo Client's cache) to `possible-types.json`; neither is edited by hand.
 */
import { writeFile } from 'node:fs/promises';
import { POSSIBLE_TYPES_FILE, printPossibleTypesFile, printSchemaFile, SCHEMA_FILE } from '../src/schema/print.ts';

await writeFile(SCHEMA_FILE, printSchemaFile());
console.log(`wrote ${SCHEMA_FILE}`);
await writeFile(POSSIBLE_TYPES_FILE, printPossibleTypesFile());
console.log(`wrote ${POSSIBLE_TYPES_FILE}`);

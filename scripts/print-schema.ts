/** `npm run schema`: prints the schema built from the code to `schema.graphql` (never edited by hand). */
import { writeFile } from 'node:fs/promises';
import { printSchemaFile, SCHEMA_FILE } from '../src/schema/print.ts';

await writeFile(SCHEMA_FILE, printSchemaFile());
console.log(`wrote ${SCHEMA_FILE}`);

import { readFile } from 'node:fs/promises';
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isUnionType, parse, validate } from 'graphql';
import { GRAPHIQL_TABS } from '../../src/examples.ts';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.ts';
import { POSSIBLE_TYPES_FILE, printPossibleTypesFile, printSchemaFile, SCHEMA_FILE } from '../../src/schema/print.ts';

describe('schema', () => {
  it('schema.graphql and possible-types.json are what the code prints today (run `npm run schema`)', async () => {
    expect((await readFile(SCHEMA_FILE, 'utf8')) === printSchemaFile(), 'stale schema.graphql: run `npm run schema`').toBe(true);
    expect((await readFile(POSSIBLE_TYPES_FILE, 'utf8')) === printPossibleTypesFile(), 'stale possible-types.json: run `npm run schema`').toBe(true);
  });

  it('possible-types.json lists every union and interface with the object types that may stand for it', async () => {
    const schema = buildSchema();
    const possibleTypes = JSON.parse(await readFile(POSSIBLE_TYPES_FILE, 'utf8')) as Record<string, string[]>;
    const abstract = Object.values(schema.getTypeMap()).filter((type) => isUnionType(type) || isInterfaceType(type));
    expect(Object.keys(possibleTypes).sort()).toEqual(abstract.map((type) => type.name).sort());
    // What Apollo Client needs to match `... on UserError` in a mutation's answer.
    expect(possibleTypes.UserError).toEqual(expect.arrayContaining(['NotFoundError', 'ValidationError', 'ForbiddenError', 'ConflictError', 'RateLimitedError']));
    expect(possibleTypes.Node).toContain('Account');
  });

  it('describes every type, field, argument and enum value', () => {
    const schema = buildSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (isScalarType(type) && getNamedType(type) === type && ['String', 'Int', 'Boolean', 'ID', 'Float'].includes(type.name))) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      if (isUnionType(type) && !type.description) missing.push(type.name);
    }
    expect(missing).toEqual([]);
  });

  it("validates every example GraphiQL opens with against the schema", () => {
    const schema = buildSchema();
    for (const tab of GRAPHIQL_TABS) expect(validate(schema, parse(tab.query)).map((e) => e.message), tab.query.split('\n')[0]).toEqual([]);
  });

  it('names fields in camelCase, never REST snake_case', () => {
    const schema = buildSchema();
    const snake: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
      for (const name of Object.keys(type.getFields())) if (name.includes('_')) snake.push(`${type.name}.${name}`);
    }
    expect(snake).toEqual([]);
  });
});

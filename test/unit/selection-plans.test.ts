/**
 * Read plans are made once per document and field when the selection under the field reads no
 * variable, and per request (once per field) when it reads one: a cached plan never answers for
 * other variables, another document, or the same fragment merged differently.
 */
import { buildSchema, execute, parse, type DocumentNode, type FieldNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { lookahead } from '../../src/schema/plan/lookahead.ts';
import { readsVariables, SelectionPlans } from '../../src/schema/plan/selection-plans.ts';

const schema = buildSchema(`
  type Query { account(id: ID): Account accounts(ids: [ID!]!): [Account] }
  type Account { name: String brands(first: Int): [Brand] stores(filter: StoreFilter): [Store] }
  input StoreFilter { types: [String!] }
  type Brand { displayName: String }
  type Store { url: String }
`);

/** Executes `document` with a counting planner behind `account` and `accounts`; returns each resolver call's plan. */
function harness() {
  let made = 0;
  const plans = new SelectionPlans((info) => {
    made += 1;
    return { fields: [...lookahead(info).keys()].sort(), first: lookahead(info).get('brands')?.args[0]?.first ?? null };
  });
  const seen: ReturnType<typeof plans.of>[] = [];
  const run = async (document: DocumentNode, variableValues: Record<string, unknown> = {}, request?: object) => {
    const plan = (info: GraphQLResolveInfo) => {
      const found = plans.of(info, request);
      seen.push(found);
      return {};
    };
    const rootValue = {
      account: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => plan(info),
      accounts: ({ ids }: { ids: string[] }, _context: unknown, info: GraphQLResolveInfo) => ids.map(() => plan(info)),
    };
    const result = await execute({ schema, document, rootValue, variableValues });
    expect(result.errors).toBeUndefined();
  };
  return { run, seen, made: () => made };
}

describe('SelectionPlans', () => {
  it('makes the plan of a variable-free selection once for every execution of the same document, and freezes it', async () => {
    const { run, seen, made } = harness();
    const document = parse('{ account(id: "a") { name brands(first: 3) { displayName } } }');
    await run(document);
    await run(document);
    expect(made()).toBe(1);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toEqual({ fields: ['brands', 'name'], first: 3 });
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(Object.isFrozen(seen[0]!.fields)).toBe(true);
  });

  it('ignores the variables of the field itself: accounts(ids: $ids) is planned once, whatever the ids', async () => {
    const { run, made } = harness();
    const document = parse('query($ids: [ID!]!) { accounts(ids: $ids) { name } }');
    await run(document, { ids: ['a', 'b'] });
    await run(document, { ids: ['c'] });
    expect(made()).toBe(1);
  });

  it('plans a selection that reads variables per execution, once per field with the request given', async () => {
    const { run, seen, made } = harness();
    const document = parse('query($n: Int, $ids: [ID!]!) { accounts(ids: $ids) { brands(first: $n) { displayName } } }');
    await run(document, { n: 2, ids: ['a', 'b', 'c'] }, {});
    expect(made()).toBe(1);
    await run(document, { n: 5, ids: ['a'] }, {});
    expect(made()).toBe(2);
    expect(seen.map((plan) => plan.first)).toEqual([2, 2, 2, 5]);
    // Without the request, every call makes its plan.
    await run(document, { n: 7, ids: ['a', 'b'] });
    expect(made()).toBe(4);
  });

  it('follows variables into directives, nested input values and fragments', async () => {
    const fragments = (source: string) => Object.fromEntries(parse(source).definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])));
    const underAccount = (source: string) => {
      const operation = parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
      const account = operation.selectionSet.selections[0] as FieldNode;
      return readsVariables(account.selectionSet!, fragments(source), new Set());
    };
    expect(underAccount('{ account { name brands(first: 2) { displayName } } }')).toBe(false);
    expect(underAccount('query($s: Boolean!) { account { name @skip(if: $s) } }')).toBe(true);
    expect(underAccount('query($t: String!) { account { stores(filter: { types: [$t] }) { url } } }')).toBe(true);
    expect(underAccount('query($n: Int) { account { ...F } } fragment F on Account { brands(first: $n) { displayName } }')).toBe(true);
    expect(underAccount('query($s: Boolean!) { account { ... @include(if: $s) { name } } }')).toBe(true);
    expect(underAccount('{ account { ...F ...F } } fragment F on Account { name }')).toBe(false);
  });

  it('keeps documents apart, and one fragment merged with different siblings apart', async () => {
    const { run, seen, made } = harness();
    await run(parse('{ account(id: "a") { name } }'));
    await run(parse('{ account(id: "a") { name } }'));
    expect(made()).toBe(2);
    // The same `account` node of a fragment (the first of the field's nodes both times), merged with
    // another occurrence or alone.
    const merged = parse('{ ...F account(id: "a") { brands(first: 1) { displayName } } } fragment F on Query { account(id: "a") { name } }');
    const alone = { ...merged, definitions: merged.definitions.map((d) => (d.kind === 'OperationDefinition' ? { ...d, selectionSet: { ...d.selectionSet, selections: d.selectionSet.selections.slice(0, 1) } } : d)) };
    await run(merged);
    await run(alone);
    expect(seen.slice(2).map((plan) => plan.fields)).toEqual([['brands', 'name'], ['name']]);
  });
});

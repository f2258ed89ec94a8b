/**
 * The cost of an operation, planned before it runs: how many upstream calls it will make, and how many
 * rows (list items) it may answer. The gateway refuses an operation over its limits with this plan
 * (`src/plugins/operation-cost.ts`), so a refused operation makes no call at all.
 *
 * Contract: planned calls = the calls the resolvers will make when every load succeeds and every list
 * is as long as the page it asks for; a failing sub-resource (or a shorter list, or reference data the
 * gateway has cached) may make fewer. They are counted as the loaders count them: one call per distinct
 * loader key in a request (DataLoader's dedupe), reads of one account folded into one `expand=`, and in
 * a mutation each root field on fresh loaders (every write refreshes them).
 *
 * This module walks the operation as execution will (`@skip`/`@include`, fragments on their types,
 * aliases as separate fields, variables coerced); what each field costs is the table it is given
 * (`src/schema/field-costs.ts`), keyed by `Type.field`, which mirrors the resolvers.
 *
 * Rows: every list field counts the items it may answer, multiplied by the items above it: a
 * connection's `edges` its page size (`first`/`last`, default 20), a list of ids its length, and any
 * other list (its length is Klarna's, not the caller's) one.
 */
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { isIncluded, selectedFields, selectionSetsOf, type SelectedField, type SelectionScope } from './lookahead.ts';
import { parseWindow, type ConnectionArguments } from './window.ts';

/** What the plan knows about a value: what the resolvers below it will find on their parent. */
export interface PlannedValue {
  /** Its concrete type, where the field's type is abstract (`node`, `nodes`). */
  typeName?: string;
  /** The partner account it is or belongs to (unknown for a new account). */
  accountId?: string;
  /** How an `Account` was obtained: read with `getAccount`, or answered by a write (a summary). */
  accountSource?: 'read' | 'summary';
  /** A write's answer that carries the owner's contact. */
  withContact?: boolean;
  /** A store group that carries its stores inline. */
  storesInline?: boolean;
  settlementId?: string;
  /** The report window a `SettlementReport`'s summary is read with. */
  summaryWindow?: unknown;
  orderId?: string;
  /** A mutation's `input`, for its payload's fields. */
  input?: Record<string, unknown>;
}

export interface PlannedField {
  /** The field's arguments, coerced (variables resolved). */
  args: Record<string, unknown>;
  /** Its sub-selections as its resolver's lookahead sees them. */
  selected(): Map<string, SelectedField>;
  /** What its parent is. */
  parent: PlannedValue;
}

export interface CallRecorder {
  /** A call its loader makes once per distinct `key` in a request (mutation root fields: per write). */
  call(loader: string, key: unknown): void;
  /** A call with options its loader folds: every call with the same key is one, with the union of `folded`. */
  foldedCall(loader: string, key: unknown, folded: readonly string[]): void;
  /** The union of what calls with this key folded, once every call at the level above was planned. */
  foldedOf(loader: string, key: unknown): ReadonlySet<string>;
  /** A call on every parent item, about objects whose ids cannot be known before execution. */
  callPerItem(loader: string): void;
}

/**
 * What a field costs: it records its calls and says what its value is. `undefined`: the value is the
 * parent's as far as the plan knows (connections, edges, plain objects); `null`: the field refuses
 * (bad input) and resolves nothing below it; an array: one value per list item.
 */
export type FieldCost = (field: PlannedField, calls: CallRecorder) => PlannedValue | PlannedValue[] | null | undefined;

export interface CostPlan {
  calls: number;
  rows: number;
}

export interface PlanOptions {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  /** The variables as the client sent them (coerced here, as execution will). */
  variables?: Record<string, unknown> | null | undefined;
  costs: Readonly<Record<string, FieldCost>>;
  /** Of an abstract type's members, which a value may be planned as (e.g. not a mutation's error types). */
  plannedMember?: (type: GraphQLObjectType) => boolean;
}

interface Task {
  type: GraphQLObjectType;
  selectionSets: readonly SelectionSetNode[];
  value: PlannedValue;
  /** How many objects of `type` the selection is resolved on. */
  items: number;
  path: string;
  /** The page size of the connection this object is. */
  pageSize: number | undefined;
  /** Mutation root fields each run on fresh loaders: their calls never dedupe with another's. */
  namespace: string;
}

const anyCursor = (cursor: string) => cursor;

/** Items a connection field answers at most (0 when its window is refused). */
function pageSizeOf(args: Record<string, unknown>): number {
  try {
    return parseWindow(args as ConnectionArguments, anyCursor).size;
  } catch {
    return 0;
  }
}

/** The cost table by type and field name, built once per table. */
const tablesByCosts = new WeakMap<Readonly<Record<string, FieldCost>>, Map<string, Map<string, FieldCost>>>();
function byType(costs: Readonly<Record<string, FieldCost>>): Map<string, Map<string, FieldCost>> {
  let table = tablesByCosts.get(costs);
  if (!table) {
    table = new Map();
    for (const [entry, cost] of Object.entries(costs)) {
      const [typeName = '', fieldName = ''] = entry.split('.');
      table.set(typeName, (table.get(typeName) ?? new Map<string, FieldCost>()).set(fieldName, cost));
    }
    tablesByCosts.set(costs, table);
  }
  return table;
}

const NO_COSTS = new Map<string, FieldCost>();
const NO_ARGS: Record<string, unknown> = Object.freeze({});

/** The plan of one operation; undefined when it cannot run (no such operation, bad variables). */
export function planOperation(options: PlanOptions): CostPlan | undefined {
  const { schema, document, plannedMember = () => true } = options;
  const costs = byType(options.costs);
  const operation = getOperationAST(document, options.operationName ?? undefined);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], options.variables ?? {});
  if (coerced.errors) return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const scope: SelectionScope = { schema, fragments, variableValues: coerced.coerced };

  const callCounts = new Map<string, number>();
  const folds = new Map<string, Set<string>>();
  let rows = 0;

  // Every item of a list walks the same selection: it is collected once per type.
  const collected = new Map<readonly SelectionSetNode[], Map<GraphQLObjectType, Map<string, FieldNode[]>>>();
  function collectOnce(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const byType = collected.get(selectionSets) ?? new Map<GraphQLObjectType, Map<string, FieldNode[]>>();
    collected.set(selectionSets, byType);
    let fields = byType.get(type);
    if (!fields) byType.set(type, (fields = collect(type, selectionSets)));
    return fields;
  }

  /** The fields a selection resolves on `type`, by response key, as execution collects them. */
  function collect(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!isIncluded(selection, scope.variableValues)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const nodes = fields.get(key);
          if (nodes) nodes.push(selection);
          else fields.set(key, [selection]);
          continue;
        }
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        const condition = fragment.typeCondition && schema.getType(fragment.typeCondition.name.value);
        if (fragment.typeCondition && !(condition === type || (condition && isAbstractType(condition) && schema.isSubType(condition, type)))) continue;
        visit(fragment.selectionSet);
      }
    };
    selectionSets.forEach(visit);
    return fields;
  }

  function recorder(task: Task, path: string): CallRecorder {
    const keyOf = (loader: string, key: unknown) => `${task.namespace}|${loader}|${JSON.stringify(key)}`;
    return {
      call: (loader, key) => void callCounts.set(keyOf(loader, key), 1),
      foldedCall(loader, key, folded) {
        const name = keyOf(loader, key);
        callCounts.set(name, 1);
        const union = folds.get(name) ?? new Set<string>();
        folded.forEach((option) => union.add(option));
        folds.set(name, union);
      },
      foldedOf: (loader, key) => folds.get(keyOf(loader, key)) ?? new Set(),
      callPerItem(loader) {
        const name = `${task.namespace}|${loader}@${path}`;
        callCounts.set(name, Math.max(callCounts.get(name) ?? 0, task.items));
      },
    };
  }

  // Breadth first: every call of one level is planned before the level below reads what they folded.
  const queue: Task[] = [{ type: rootType, selectionSets: [operation.selectionSet], value: {}, items: 1, path: '', pageSize: undefined, namespace: '' }];
  for (let index = 0; index < queue.length; index += 1) {
    const task = queue[index]!;
    const fields = task.type.getFields();
    const typeCosts = costs.get(task.type.name) ?? NO_COSTS;
    for (const [key, nodes] of collectOnce(task.type, task.selectionSets)) {
      const definition = fields[nodes[0]!.name.value];
      if (!definition) continue; // __typename, introspection
      const cost = typeCosts.get(definition.name);
      const isList = isListType(getNullableType(definition.type));
      const listSize = isList && definition.name === 'edges' && task.pageSize !== undefined ? task.pageSize : 1;
      // Most fields are leaves that cost nothing: only their rows count.
      if (!cost && !nodes[0]!.selectionSet) {
        if (isList) rows += task.items * listSize;
        continue;
      }
      let args = NO_ARGS;
      try {
        if (definition.args.length) args = getArgumentValues(definition, nodes[0]!, scope.variableValues);
      } catch {
        continue; // refused by execution itself
      }
      const path = `${task.path}.${key}`;
      const namedType = getNamedType(definition.type);
      const childSets = selectionSetsOf(nodes);
      const own = task.type === rootType && operation.operation === 'mutation' ? { ...task, namespace: key } : task;
      let selection: Map<string, SelectedField> | undefined;
      const selected = () => (selection ??= selectedFields(scope, namedType.name, childSets));
      const result = cost ? cost({ args, parent: task.value, selected }, recorder(own, path)) : undefined;
      if (result === null) continue;

      const values = Array.isArray(result) ? result : [result ?? task.value];
      const itemsBelow = Array.isArray(result) ? task.items : task.items * listSize;
      if (isList) rows += itemsBelow * values.length;
      if (!childSets.length) continue;
      const pageSize = definition.args.some((arg) => arg.name === 'first') ? pageSizeOf(args) : undefined;
      const members = isObjectType(namedType) ? [namedType] : isAbstractType(namedType) ? schema.getPossibleTypes(namedType).filter(plannedMember) : [];
      values.forEach((value, item) => {
        for (const type of members) {
          if (value.typeName && type.name !== value.typeName) continue;
          queue.push({
            type,
            selectionSets: childSets,
            value,
            items: itemsBelow,
            path: values.length > 1 ? `${path}.${item}` : path,
            pageSize,
            namespace: own.namespace,
          });
        }
      });
    }
  }
  let calls = 0;
  for (const count of callCounts.values()) calls += count;
  return { calls, rows };
}

/**
 * Queries and mutations run as code compiled once per document (graphql-jit): Yoga hands every request
 * of one query text the same parsed document, and the compiled query is kept beside it (a WeakMap
 * keyed by the document, so it goes with Yoga's parse cache). Per request that skips what the standard
 * executor redoes for every field: collecting the selection, coercing arguments, building each field's
 * resolve info, chaining promises through every level. The resolvers, the schema and what a client
 * receives are the same.
 *
 * Variables are coerced by graphql-js first, to the values the standard executor would use (a non-null
 * variable's default honoured, which graphql-jit 0.8 does not), and the compiled query is given those;
 * variables that do not coerce are left to the standard executor, which refuses them as it always did.
 *
 * Left to the standard executor:
 * - subscriptions: each event is executed with a context made for it (`usePerEventContext`), by the
 *   subscription machinery Yoga and graphql-ws drive;
 * - documents with `@defer` or `@stream`: graphql-jit answers in one part only;
 * - a document graphql-jit cannot compile.
 */
import { getOperationAST, GraphQLError, visit, type ASTNode, type DocumentNode, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode, type SourceLocation } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { usesIncrementalDelivery } from './accept.ts';
import { isPromise } from './fused-hooks.ts';

/** The compiled query, or undefined where graphql-jit cannot compile the document (the standard executor runs it). */
function compileOrNot(args: ExecutionArgs): CompiledQuery | undefined {
  try {
    // The skip/include handling of fragment spreads that matches the specification (graphql-jit #197).
    const query = compileQuery(args.schema, args.document, args.operationName ?? undefined, { useExperimentalPathBasedSkipInclude: true });
    return isCompiledQuery(query) ? query : undefined;
  } catch {
    return undefined;
  }
}

/** The document's nodes by where they start (`line:column`), for finding an error's nodes from its locations. */
const nodesByStart = new WeakMap<DocumentNode, Map<string, ASTNode>>();
function nodeAt(document: DocumentNode, { line, column }: SourceLocation): ASTNode | undefined {
  let nodes = nodesByStart.get(document);
  if (!nodes) {
    const found = (nodes = new Map<string, ASTNode>());
    visit(document, {
      enter(node) {
        const start = node.loc?.startToken;
        const key = start && `${start.line}:${start.column}`;
        if (key && !found.has(key)) found.set(key, node);
      },
    });
    nodesByStart.set(document, nodes);
  }
  return nodes.get(`${line}:${column}`);
}

/**
 * graphql-jit's errors as the standard executor makes them: with the document's nodes they point at.
 * Its own error objects carry their locations but not the nodes, and whoever remakes an error from its
 * nodes (Yoga, for every error of an answer; the gateway's error masking) would drop the locations.
 * Only an answer with errors pays this.
 */
function withStandardErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const nodes = (error.locations ?? []).map((location) => nodeAt(document, location)).filter((node) => node !== undefined);
    return new GraphQLError(error.message, {
      ...(nodes.length ? { nodes } : {}),
      ...(error.path ? { path: error.path } : {}),
      ...(error.originalError ? { originalError: error.originalError } : {}),
      ...(error.extensions && Object.keys(error.extensions).length ? { extensions: error.extensions } : {}),
    });
  });
  return { ...result, errors };
}

const SEEN_ONCE = Symbol('executed once');

interface Compiled {
  operation: OperationDefinitionNode;
  query: CompiledQuery;
}

export interface CompiledExecutionOptions {
  /** Told once per document and operation compiled (its name, if any). */
  onCompiled?: (operationName: string | undefined) => void;
}

export function useCompiledExecution({ onCompiled }: CompiledExecutionOptions = {}): Plugin {
  // Per document, per operation name: its compiled form; null where the standard executor runs it;
  // SEEN_ONCE after its first execution. (By document alone: the gateway's schema never changes while it runs.)
  const compiledByDocument = new WeakMap<DocumentNode, Map<string, Compiled | null | typeof SEEN_ONCE>>();

  function compiledFor(args: ExecutionArgs): Compiled | null {
    let byName = compiledByDocument.get(args.document);
    if (!byName) compiledByDocument.set(args.document, (byName = new Map()));
    const name = args.operationName ?? '';
    let compiled = byName.get(name);
    if (compiled === undefined) {
      // Compiled on its second execution: a document asked once (a GraphiQL experiment, a client
      // sending a new document each time) costs no compilation, only what it always cost.
      byName.set(name, SEEN_ONCE);
      return null;
    }
    if (compiled === SEEN_ONCE) {
      compiled = null;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation && operation.operation !== 'subscription' && !usesIncrementalDelivery(args.document)) {
        const query = compileOrNot(args);
        if (query) {
          compiled = { operation, query };
          onCompiled?.(operation.name?.value);
        }
      }
      byName.set(name, compiled);
    }
    return compiled;
  }

  type Execute = (args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult> | unknown;
  /**
   * The execution that runs a document compiled when it can, else the standard one it replaces. Made
   * once per standard execution (Yoga's is one function), not per request; it looks the compiled form up
   * by the document it is called with, which may not be the operation's: the response cache runs the
   * execution with its own copy (its entities' ids and typenames added).
   */
  const executions = new WeakMap<Execute, Execute>();
  const executionOver = (standard: Execute): Execute => {
    let execution = executions.get(standard);
    if (!execution) {
      execution = (given: ExecutionArgs) => {
        const compiled = compiledFor(given);
        if (!compiled) return standard(given);
        const variables = getVariableValues(given.schema, compiled.operation.variableDefinitions ?? [], given.variableValues ?? {}, { maxErrors: 50 });
        // Refused by the standard executor: the same errors, with the same HTTP status and suggestions policy.
        if (variables.errors) return standard(given);
        const result = compiled.query.query(given.rootValue, given.contextValue, variables.coerced) as ExecutionResult | Promise<ExecutionResult>;
        return isPromise(result) ? result.then((done) => withStandardErrors(done as ExecutionResult, given.document)) : withStandardErrors(result, given.document);
      };
      executions.set(standard, execution);
    }
    return execution;
  };

  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(executionOver(executeFn as Execute) as typeof executeFn);
    },
  };
}

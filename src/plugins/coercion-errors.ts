/**
 * Variables that do not fit their declared types (`$id: ID!` not given, `5.5` for an `ID`, an enum
 * value that does not exist, an input object field that is unknown or missing) are refused by the
 * executor with errors that carry no `extensions.code`. They get `BAD_USER_INPUT` here.
 *
 * How they are told apart from every other error: by where they arise, not by their wording. A query
 * or mutation's result comes *without `data`* only when execution never began (GraphQL spec,
 * "Response": request errors), and after validation (refused earlier) and Yoga's operation resolution
 * (OPERATION_RESOLUTION_FAILURE, earlier too) what remains to fail there is the coercion of the
 * variables (`CoerceVariableValues`). Such an error has no `path` (it is about no field) and was not
 * thrown by our code (its cause, if any, is GraphQL's own error from a scalar). A subscription whose
 * source stream fails (its resolver throws: UNAUTHENTICATED, FORBIDDEN) also answers without `data`,
 * but that error has the field's `path` and our error as its cause: it keeps its own code. Errors that
 * carry a code already (a plugin's refusal) keep it. The executor codes a subscription's coercion errors
 * BAD_USER_INPUT itself; this does the same for queries and mutations.
 *
 * Registered before the operation outcome, so the metrics and the log count them by this code.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Whether an error of a result without `data` is about the variables (see above). */
const isCoercionError = (error: GraphQLError) =>
  typeof error.extensions?.code !== 'string' && error.path === undefined && (error.originalError === undefined || error.originalError instanceof GraphQLError);

/** The same error with `code: BAD_USER_INPUT` (its cause is dropped: its message says it all, and masking leaves it as it is). */
function asBadUserInput(error: GraphQLError): GraphQLError {
  if (!isCoercionError(error)) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

/** A result of an operation that never began: every error in it is about the request's variables. */
function codedIfNotBegun(result: unknown, setResult: (result: ExecutionResult) => void): void {
  if (!result || isAsyncIterable(result)) return;
  const { errors } = result as ExecutionResult;
  if ('data' in (result as object) || !errors?.length) return;
  setResult({ ...(result as ExecutionResult), errors: errors.map(asBadUserInput) });
}

export function useCoercionErrorCodes(): Plugin {
  const afterExecute = { onExecuteDone: ({ result, setResult }: { result: unknown; setResult: (result: ExecutionResult) => void }) => codedIfNotBegun(result, setResult) };
  const afterSubscribe = { onSubscribeResult: ({ result, setResult }: { result: unknown; setResult: (result: ExecutionResult) => void }) => codedIfNotBegun(result, setResult) };
  return {
    onExecute: () => afterExecute,
    onSubscribe: () => afterSubscribe,
  };
}

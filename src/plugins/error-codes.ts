/** The stable code of an error in a GraphQL result, for logs, metrics and traces. */
import { GraphQLError } from 'graphql';
import { GatewayError } from '../errors.ts';

/**
 * Wherever the error carries it: masked errors in `extensions.code`, ours on the original error.
 * `fallback` names GraphQL's own errors, which carry none (validation by default; parse errors pass
 * `GRAPHQL_PARSE_FAILED`); anything else is an internal error.
 */
export function errorCodeOf(error: unknown, fallback = 'GRAPHQL_VALIDATION_FAILED'): string {
  if (error instanceof GraphQLError) {
    if (typeof error.extensions?.code === 'string') return error.extensions.code;
    if (error.originalError instanceof GatewayError) return error.originalError.code;
    return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : fallback;
  }
  return error instanceof GatewayError ? error.code : 'INTERNAL_SERVER_ERROR';
}

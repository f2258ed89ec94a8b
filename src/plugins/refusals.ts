/**
 * The gateway's refusals of hostile or oversized requests: each is a GraphQL error with a stable
 * `extensions.code`, answered before any call to Klarna. (Refusals during execution, UPSTREAM_CALL_LIMIT
 * and OPERATION_TIMEOUT, are `GatewayError`s in `src/errors.ts`.)
 */
import { GraphQLError, type ASTNode } from 'graphql';

export const REFUSAL_CODES = [
  /** Selections nested deeper than `MAX_QUERY_DEPTH` (circular introspection: GRAPHQL_VALIDATION_FAILED, see introspection.ts). */
  'QUERY_TOO_DEEP',
  /** More aliases than `MAX_QUERY_ALIASES`. */
  'TOO_MANY_ALIASES',
  /** A document of more lexical tokens than `MAX_QUERY_TOKENS` (stops parsing there). */
  'TOO_MANY_TOKENS',
  /** More directives than `MAX_QUERY_DIRECTIVES`. */
  'TOO_MANY_DIRECTIVES',
  /** More planned upstream calls than `MAX_UPSTREAM_CALLS_PER_OPERATION` (`extensions.plannedCalls`, `maxCalls`); refused as it starts executing. */
  'QUERY_TOO_COSTLY',
  /** More rows (list items) an answer may hold than `MAX_RESULT_ROWS` (`extensions.plannedRows`, `maxRows`); refused as it starts executing. */
  'RESULT_TOO_LARGE',
  /** `__schema` or `__type` while introspection is off (production, unless `INTROSPECTION=true`). */
  'INTROSPECTION_DISABLED',
  /** A batch (JSON array) of more operations than `MAX_BATCH_OPERATIONS`; HTTP 413. */
  'BATCH_TOO_LARGE',
  /** A body larger than `MAX_REQUEST_BYTES`; HTTP 413. */
  'REQUEST_TOO_LARGE',
  /** A request a browser sends cross-site without a preflight (GET without the header, form or text POST); HTTP 403. */
  'CSRF_HEADER_REQUIRED',
  /** A request from a page of an origin that may not call the gateway (`CORS_ORIGINS`; loopback pages in development); HTTP 403. */
  'ORIGIN_NOT_ALLOWED',
  /** An `Accept` the gateway cannot answer in, or an answer in parts (@defer, subscription) the request cannot take; HTTP 406. */
  'NOT_ACCEPTABLE',
  /** A body or parameter that does not parse, or operation parameters of the wrong type; HTTP 400 (Yoga's own code, for the same). */
  'BAD_REQUEST',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** A refusal as a GraphQL error; `status` is the HTTP status when it refuses the whole request. */
export function refusal(
  code: RefusalCode,
  message: string,
  { status, nodes, details }: { status?: number; nodes?: readonly ASTNode[]; details?: Record<string, unknown> } = {},
): GraphQLError {
  return new GraphQLError(message, {
    ...(nodes ? { nodes } : {}),
    extensions: { code, ...details, ...(status ? { http: { status } } : {}) },
  });
}

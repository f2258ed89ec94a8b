/**
 * The gateway's protections against hostile and heavy requests, from the configuration, as Yoga
 * options and plugins (`createGateway` spreads both). In order of a request's life:
 *
 * 1. CORS (`CORS_ORIGINS`) and CSRF prevention (on in production);
 * 2. body size and batch size (`MAX_REQUEST_BYTES`, `MAX_BATCH_OPERATIONS`);
 * 3. document shape: tokens, depth, aliases, directives (`MAX_QUERY_*`), introspection
 *    (`INTROSPECTION`), hidden suggestions when introspection is off;
 * 4. planned cost, as execution starts: upstream calls and answer rows (`MAX_UPSTREAM_CALLS_PER_OPERATION`,
 *    `MAX_RESULT_ROWS`), and `extensions.cost` (`COST_EXTENSION`);
 * 5. execution: upstream calls really made and a deadline (`MAX_UPSTREAM_CALLS_PER_OPERATION`,
 *    `OPERATION_DEADLINE_MS`).
 * (The operation log, which times requests from before these refusals, is registered before them by
 * `createGateway`.)
 */
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { BudgetLimits } from '../operation-budget.ts';
import { corsPolicy, useCsrfPrevention, useOriginCheck } from './cross-origin.ts';
import { useHiddenSuggestions } from './hide-suggestions.ts';
import { useIntrospectionPolicy } from './introspection.ts';
import { useOperationBudget } from './operation-budget.ts';
import { useOperationCost, type CostLimits } from './operation-cost.ts';
import { queryLimitPlugins, type QueryLimits } from './query-limits.ts';
import { useRequestLimits, type RequestLimits } from './request-limits.ts';

export interface SecurityOptions {
  production: boolean;
  introspection: boolean;
  csrfPrevention: boolean;
  corsOrigins: readonly string[] | undefined;
  request: RequestLimits;
  query: QueryLimits;
  cost: CostLimits;
  budget: BudgetLimits;
}

export function securityOptions(config: Config): SecurityOptions {
  return {
    production: config.NODE_ENV === 'production',
    introspection: config.introspection,
    csrfPrevention: config.csrfPrevention,
    corsOrigins: config.CORS_ORIGINS,
    request: { maxBytes: config.MAX_REQUEST_BYTES, maxOperations: config.MAX_BATCH_OPERATIONS },
    query: {
      maxDepth: config.MAX_QUERY_DEPTH,
      maxAliases: config.MAX_QUERY_ALIASES,
      maxTokens: config.MAX_QUERY_TOKENS,
      maxDirectives: config.MAX_QUERY_DIRECTIVES,
    },
    cost: { maxCalls: config.MAX_UPSTREAM_CALLS_PER_OPERATION, maxRows: config.MAX_RESULT_ROWS, extension: config.costExtension },
    budget: { maxCalls: config.MAX_UPSTREAM_CALLS_PER_OPERATION, deadlineMs: config.OPERATION_DEADLINE_MS },
  };
}

/** Yoga's own options that the protections set. */
export function securityYogaOptions(options: SecurityOptions) {
  return {
    cors: corsPolicy({ origins: options.corsOrigins, production: options.production }),
    // Batches are allowed up to the limit (which `useRequestLimits` enforces first, with our code).
    batching: options.request.maxOperations > 0 ? { limit: options.request.maxOperations } : false,
    // `useRequestLimits` limits bodies (with our code); no file uploads, so no multipart bodies.
    maxRequestBodySize: false as const,
    multipart: false,
  };
}

export function securityPlugins(options: SecurityOptions): Plugin[] {
  return [
    useOriginCheck({ origins: options.corsOrigins, production: options.production }),
    ...(options.csrfPrevention ? [useCsrfPrevention()] : []),
    useRequestLimits(options.request),
    ...queryLimitPlugins(options.query),
    useIntrospectionPolicy({ enabled: options.introspection }),
    ...(options.production || !options.introspection ? [useHiddenSuggestions()] : []),
    // Before the budget: a refused operation never arms it.
    useOperationCost(options.cost),
    useOperationBudget(options.budget),
  ];
}

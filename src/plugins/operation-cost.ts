/**
 * Limits that count real cost. As a query or mutation starts executing, before any resolver runs, its
 * cost is planned (`src/schema/field-costs.ts` over `src/schema/plan/calls.ts`, with the operation's
 * variables, so `first`, `ids` and `@skip`/`@include` count as execution will see them):
 *
 * - more upstream calls than `maxCalls` (`MAX_UPSTREAM_CALLS_PER_OPERATION`): refused with
 *   QUERY_TOO_COSTLY, `extensions.plannedCalls` and `maxCalls`;
 * - more rows (list items) than `maxRows` (`MAX_RESULT_ROWS`): refused with RESULT_TOO_LARGE,
 *   `extensions.plannedRows` and `maxRows`.
 *
 * A refused operation makes no call; it answers its error and no data (HTTP 200, as RATE_LIMITED: the
 * request itself was well formed). The operation budget (`operation-budget.ts`, registered after this
 * plugin, so a refused operation never arms it) still counts the calls really made and stops at the same
 * limit: a backstop for what no plan sees, and the only limit on subscription events, which are not planned.
 *
 * `extension`: every answer carries `extensions.cost { plannedCalls, calls }`, `calls` being what the
 * operation really made (its budget's count). With @defer/@stream it rides on the last part, the one
 * sent when every call has been made.
 *
 * It runs wherever Yoga executes an operation: each operation of a batched HTTP request, and every
 * query and mutation over graphql-ws (subscriptions subscribe, they do not execute).
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { YogaContext } from '../context.ts';
import { createCostPlanner } from '../schema/field-costs.ts';
import { refusal } from './refusals.ts';

export interface CostLimits {
  /** Upstream calls an operation may plan (`MAX_UPSTREAM_CALLS_PER_OPERATION`). */
  maxCalls: number;
  /** Rows an answer may hold (`MAX_RESULT_ROWS`). */
  maxRows: number;
  /** Answer `extensions.cost` (`COST_EXTENSION`; on in development). */
  extension: boolean;
}

/** The refusal of a plan over a limit, if it is over one. */
function refusalOf(plan: { calls: number; rows: number }, limits: CostLimits) {
  if (plan.calls > limits.maxCalls) {
    return refusal(
      'QUERY_TOO_COSTLY',
      `This operation would make ${plan.calls} calls to Klarna; at most ${limits.maxCalls} are allowed. Ask for fewer accounts or sub-resources at once.`,
      { details: { plannedCalls: plan.calls, maxCalls: limits.maxCalls } },
    );
  }
  if (plan.rows > limits.maxRows) {
    return refusal(
      'RESULT_TOO_LARGE',
      `This operation may answer ${plan.rows} rows; at most ${limits.maxRows} are allowed. Ask for smaller pages or fewer accounts.`,
      { details: { plannedRows: plan.rows, maxRows: limits.maxRows } },
    );
  }
  return undefined;
}

export function useOperationCost(limits: CostLimits): Plugin {
  const planCost = createCostPlanner();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const plan = planCost(args.schema, args.document, args.operationName, args.variableValues);
      if (!plan) return; // no such operation, or bad variables: execution answers that itself
      const costOf = (calls: number) => ({ cost: { plannedCalls: plan.calls, calls } });
      const refused = refusalOf(plan, limits);
      if (refused) {
        setResultAndStopExecution({ errors: [refused], ...(limits.extension ? { extensions: costOf(0) } : {}) });
        return;
      }
      if (!limits.extension) return;
      const budget = (args.contextValue as YogaContext).budget;
      // A new object: the response cache may hold the one it was given.
      const withCost = <T extends ExecutionResult>(result: T): T => ({ ...result, extensions: { ...result.extensions, ...costOf(budget?.calls ?? 0) } });
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) return setResult(withCost(result));
          return {
            onNext({ result: part, setResult: setPart }) {
              if ((part as { hasNext?: boolean }).hasNext === false) setPart(withCost(part));
            },
          };
        },
      };
    },
  };
}

/**
 * The Yoga side of the operation budget (`src/operation-budget.ts`; the context factory gives every
 * request one): arms the context's budget for every query and mutation (HTTP and WebSocket alike) and
 * releases it when the execution is done, and gives every subscription the limits of each of its
 * events (armed per event by `usePerEventContext`).
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { BudgetLimits, OperationBudget } from '../operation-budget.ts';

export function useOperationBudget(limits: BudgetLimits): Plugin<{ budget?: OperationBudget }> {
  return {
    onSubscribe({ args }) {
      const budget = (args.contextValue as { budget?: OperationBudget }).budget;
      if (budget) budget.eventLimits = limits;
    },
    onExecute({ args }) {
      const budget = (args.contextValue as { budget?: OperationBudget }).budget;
      if (!budget) return;
      budget.arm(limits);
      // With @defer/@stream the result is a stream: the deadline runs until its last part.
      return {
        onExecuteDone: ({ result }) => {
          if (!isAsyncIterable(result)) return budget.release();
          return { onEnd: () => budget.release() };
        },
      };
    },
  };
}

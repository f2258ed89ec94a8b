/** An operation's outcome as the outcome plugin tells its observers: a clean query of one principal, with `overrides`. */
import { OperationTypeNode } from 'graphql';
import type { OperationOutcome } from '../../src/telemetry/operation-outcome.ts';

export function outcomeOf(name: string | undefined, overrides: Partial<OperationOutcome> = {}): OperationOutcome {
  return {
    context: {},
    name,
    type: OperationTypeNode.QUERY,
    outcome: 'ok',
    errorCodes: new Map(),
    durationMs: 1,
    requestId: undefined,
    principalHash: 'principal-a',
    presentedPrincipalHash: undefined,
    upstreamCalls: 1,
    upstreamCallsRefused: 0,
    ...overrides,
  };
}

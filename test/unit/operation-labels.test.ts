/**
 * Which operation names become `graphql_operations_total` labels: only names no client can make up
 * cheaply (src/telemetry/metrics.ts). Outcomes are told to the metrics observer directly.
 */
import { OperationTypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createMetrics, type OperationLabelLimits } from '../../src/telemetry/metrics.ts';
import type { OperationOutcome } from '../../src/telemetry/operation-outcome.ts';
import { outcomeOf as outcome } from '../utils/outcomes.ts';


/** The operation labels the registry holds after `outcomes` were told. */
async function labelsAfter(limits: OperationLabelLimits, outcomes: OperationOutcome[]): Promise<Set<string>> {
  const metrics = createMetrics({ defaultMetrics: false, operationLabels: limits });
  for (const each of outcomes) metrics.gateway.operations.onOutcome(each);
  const text = await metrics.registry.metrics();
  return new Set([...text.matchAll(/^graphql_operations_total\{operation="([^"]+)"/gm)].map((match) => match[1]!));
}

describe('operation labels', () => {
  it('admits a name only from an operation that ran without errors and made a Klarna call', async () => {
    const labels = await labelsAfter({}, [
      outcome('NoCalls', { upstreamCalls: 0 }),
      outcome('Refused', { outcome: 'refused', upstreamCalls: undefined, principalHash: undefined }),
      outcome('Failed', { outcome: 'error' }),
      outcome('Subscribed', { outcome: 'subscribed', type: OperationTypeNode.SUBSCRIPTION }),
      outcome('Clean'),
      outcome('Clean', { outcome: 'error' }),
      outcome('not a GraphQL name!'),
    ]);
    expect(labels).toEqual(new Set(['other', 'Subscribed', 'Clean']));
  });

  it('lets one principal admit at most its share of names, and every principal together at most the total', async () => {
    const names = (prefix: string, count: number, principalHash: string) => Array.from({ length: count }, (_, index) => outcome(`${prefix}${index}`, { principalHash }));
    const labels = await labelsAfter({ maxNames: 5, maxNamesPerPrincipal: 2 }, [
      ...names('A', 3, 'principal-a'),
      ...names('B', 2, 'principal-b'),
      ...names('C', 2, 'principal-c'),
      ...names('D', 2, 'principal-d'),
    ]);
    expect(labels).toEqual(new Set(['A0', 'A1', 'B0', 'B1', 'C0', 'other']));
  });

  it('with a manifest, labels by its names only', async () => {
    const labels = await labelsAfter({ known: ['Listed'] }, [outcome('Listed', { outcome: 'refused', upstreamCalls: undefined }), outcome('Unlisted')]);
    expect(labels).toEqual(new Set(['Listed', 'other']));
  });
});

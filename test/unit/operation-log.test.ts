/**
 * The operation log line is written after the answer: taken when the outcome is told, written in the
 * event loop's next check phase (a `setImmediate`), all of a turn's lines together and in order.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createOperationLog } from '../../src/plugins/operation-log.ts';
import { outcomeOf } from '../utils/outcomes.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the operation log line', () => {
  it('is written once the turn that told the outcome is over, with the fields it had then, in order', async () => {
    const lines: string[] = [];
    const { observer } = createOperationLog(createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } }));
    const errorCodes = new Map([['NOT_FOUND', 2]]);
    observer.onOutcome(outcomeOf('First', { requestId: 'request-0000001', outcome: 'error', errorCodes, upstreamCalls: 2 }));
    observer.onOutcome(outcomeOf('Second', { requestId: 'request-0000002' }));
    errorCodes.set('FORBIDDEN', 1);
    expect(lines).toEqual([]);

    await nextTurn();
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toMatchObject([
      { msg: 'operation', operationName: 'First', requestId: 'request-0000001', outcome: 'error', errorCodes: ['NOT_FOUND'], upstreamCalls: 2, principal: 'principal-a' },
      { msg: 'operation', operationName: 'Second', requestId: 'request-0000002', outcome: 'ok', upstreamCalls: 1 },
    ]);

    observer.onOutcome(outcomeOf('Third'));
    await nextTurn();
    expect(lines).toHaveLength(3);
  });
});

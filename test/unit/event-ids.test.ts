/** `compareEventIds` (src/webhooks/events.ts) orders ids as the numbers they are, part by part, without parsing them. */
import { describe, expect, it } from 'vitest';
import { compareEventIds } from '../../src/webhooks/events.ts';

const sign = (n: number) => Math.sign(n);
/** The reference: both parts as numbers (a missing sequence is 0). */
const byNumbers = (a: string, b: string) => {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
};

describe('compareEventIds', () => {
  it('agrees with comparing the parts as numbers, leading zeros and missing sequences included', () => {
    const ids = ['0-0', '0-1', '1-0', '9-9', '10-0', '10-10', '010-9', '1733450000000-0', '1733450000000-2', '1733450000000-10', '1733450000001-0', '99999999999999-1', '5', '5-0', '0005-00', '12-'];
    for (const a of ids) for (const b of ids) expect([a, b, sign(compareEventIds(a, b))]).toEqual([a, b, sign(byNumbers(a, b))]);
  });

  it('sorts a log in order', () => {
    const log = ['1733450000001-0', '1733450000000-10', '999-5', '1733450000000-2'];
    expect([...log].sort(compareEventIds)).toEqual(['999-5', '1733450000000-2', '1733450000000-10', '1733450000001-0']);
  });
});

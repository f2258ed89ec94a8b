/**
 * String formats: the sandbox checks them exactly (`full`), the gateway checks Klarna's answers by
 * shape (`fast`, ajv-formats' regular expressions). Both refuse what is not a date, a time or a URI at
 * all; only `full` refuses a day its month does not have or a URI RFC 3986 does not parse.
 */
import { describe, expect, it } from 'vitest';
import { createAjv, createContract } from '../../src/contracts/contract.ts';

const checks = (formats: 'full' | 'fast') => {
  const ajv = createAjv(formats);
  return (format: string, value: string) => ajv.validate({ type: 'string', format }, value);
};

describe('contract string formats', () => {
  it.each(['full', 'fast'] as const)('%s: accepts well-formed values and refuses what has not the shape', (mode) => {
    const valid = checks(mode);
    expect(valid('date-time', '2026-12-06T07:30:00Z')).toBe(true);
    expect(valid('date-time', '2026-12-06T07:30:00.123+01:00')).toBe(true);
    expect(valid('date', '2026-12-06')).toBe(true);
    expect(valid('uri', 'https://klarna.example/stores/1?x=y')).toBe(true);
    expect(valid('email', 'ops@merchant.example')).toBe(true);
    expect(valid('date-time', 'yesterday')).toBe(false);
    expect(valid('date-time', '2026-12-06')).toBe(false);
    expect(valid('date', '06/12/2026')).toBe(false);
    expect(valid('uri', 'not a uri')).toBe(false);
    expect(valid('uri', '/relative/path')).toBe(false);
    expect(valid('email', 'no-at-sign')).toBe(false);
  });

  it('full refuses a day its month does not have; fast takes its shape', () => {
    expect(checks('full')('date-time', '2026-02-30T00:00:00Z')).toBe(false);
    expect(checks('fast')('date-time', '2026-02-30T00:00:00Z')).toBe(true);
  });

  it("the gateway's contract (fast) still refuses an answer whose date-time is not one, and takes a good one", () => {
    const contract = createContract(['partner-management'], { formats: 'fast' });
    const decision = {
      decision_id: 'krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291',
      decision_type: 'NON_COMPLIANT',
      partner_account_id: 'krn:partner:global:account:live:LWT2XJSE',
      created_at: '2019-08-24T14:15:22Z',
    };
    expect(contract.validateResponse('getComplianceDecision', 200, decision)).toEqual([]);
    expect(contract.validateResponse('getComplianceDecision', 200, { ...decision, created_at: 'last Tuesday' })).not.toEqual([]);
  });
});

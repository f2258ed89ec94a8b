/** A request's id: settled once as it arrives, kept on the request, its headers left as they came. */
import { describe, expect, it } from 'vitest';
import { clientRequestId, requestIdOf, settleRequestId, settledRequestId } from '../../src/request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const requestWith = (headers: Record<string, string> = {}) => new Request('http://gateway.test/graphql', { headers });

describe('request ids', () => {
  it("keeps the caller's usable id", () => {
    const request = requestWith({ 'x-request-id': 'phone-crash-0001' });
    settleRequestId(request);
    expect(requestIdOf(request)).toBe('phone-crash-0001');
  });

  it('makes one for a request without a usable id, the same on every read, without writing it into the headers', () => {
    for (const sent of [undefined, 'short', 'has spaces in it']) {
      const headers: Record<string, string> = sent ? { 'x-request-id': sent } : {};
      const request = requestWith(headers);
      settleRequestId(request);
      const id = requestIdOf(request);
      expect(id).toMatch(UUID);
      expect(requestIdOf(request)).toBe(id);
      expect(settledRequestId(request)).toBe(id);
      expect(request.headers.get('x-request-id')).toBe(sent ?? null);
    }
  });

  it('gives two requests two ids, and reads the caller\'s own for a request never settled', () => {
    const [first, second] = [requestWith(), requestWith()];
    settleRequestId(first);
    settleRequestId(second);
    expect(requestIdOf(first)).not.toBe(requestIdOf(second));
    expect(settledRequestId(requestWith({ 'x-request-id': 'phone-crash-0002' }))).toBeUndefined();
    expect(requestIdOf(requestWith({ 'x-request-id': 'phone-crash-0002' }))).toBe('phone-crash-0002');
    expect(requestIdOf(requestWith())).toBeUndefined();
    expect(requestIdOf(undefined)).toBeUndefined();
  });

  it('passes on only 8–64 letters, digits and dashes', () => {
    const headers = (id: string) => new Headers({ 'x-request-id': id });
    expect(clientRequestId(headers('a'.repeat(8)))).toBe('a'.repeat(8));
    expect(clientRequestId(headers('a'.repeat(64)))).toBe('a'.repeat(64));
    expect(clientRequestId(headers('a'.repeat(7)))).toBeUndefined();
    expect(clientRequestId(headers('a'.repeat(65)))).toBeUndefined();
    expect(clientRequestId(headers('abc_defgh'))).toBeUndefined();
    expect(clientRequestId(undefined)).toBeUndefined();
  });
});

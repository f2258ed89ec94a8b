/**
 * Input validation for mutations, with zod and the contracts' own rules, before anything is sent:
 * invalid input costs no upstream call and answers a ValidationError naming every offending field by
 * its input path (`input.cards.0.amount`).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MERCHANT_CATEGORY_CODES } from '../contracts/merchant-category-codes.generated.ts';
import { BadUserInputError } from '../errors.ts';
import { ID_RULES, zodId } from './ids.ts';

/** Parses `value` with `schema`, or throws a BadUserInputError listing every problem by path. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, root = 'input'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ path: [root, ...issue.path.map(String)].join('.'), message: issue.message }));
  const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  throw new BadUserInputError(`The input is invalid (${summary}).`, problems);
}

/** Any Klarna identifier (the id rules are `ids.ts`). */
export const krn = zodId(ID_RULES.klarnaId);
export const credentialId = zodId(ID_RULES.credential);
export const description = z.string().regex(/^[a-zA-Z0-9\-:;., _]{0,100}$/, 'may hold up to 100 letters, digits, spaces and - : ; . , _');
export const reference = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
export const mcc = z.string().refine((code) => MERCHANT_CATEGORY_CODES.has(code), 'is not a merchant category code Klarna accepts');
export const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as SE');
export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
export const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
export const email = z.email('must be an e-mail address');
export const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone' });
export const idempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{1,255}$/, 'must be 1 to 255 letters, digits, ".", "_", ":" or "-"');

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Length of an ISO 8601 duration in days (a month counts 365/12 days), or undefined when malformed. */
export function durationDays(value: string): number | undefined {
  const match = DURATION.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  return years! * 365 + months! * (365 / 12) + weeks! * 7 + days! + hours! / 24 + minutes! / 1440 + seconds! / 86_400;
}

export const gracePeriod = z.string().refine((value) => {
  const days = durationDays(value);
  return days !== undefined && days >= 1 && days <= 6 * (365 / 12) + 1e-9;
}, 'must be an ISO 8601 duration between P1D and P6M');

/** The idempotency key a write carries: the caller's, or a new one for this mutation. */
export const keyFor = (input: { idempotencyKey?: string | null }): string => input.idempotencyKey ?? randomUUID();

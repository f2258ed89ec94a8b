/**
 * Reading the JWT of a portal access grant. The sandbox decodes the header and claims (base64url JSON)
 * but does not verify the signature (CONTRACT-NOTES: no test certificate is configured); it checks
 * the claims Klarna documents and reports each problem as `body.jwt.<claim>`.
 */
import type { Violation } from '../../contracts/contract.ts';

export interface PortalGrant {
  iss: string;
  jti: string;
  sub: string;
  iat: number;
  exp: number;
  account_id: string;
  roles: string[];
  expires_at?: string;
  inactivity_grace_period?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The instant `duration` after `fromMs`, with calendar months and years; undefined if not ISO 8601. */
export function addDuration(fromMs: number, duration: string): number | undefined {
  const parts = DURATION.exec(duration);
  if (!parts) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = parts.slice(1).map((value) => Number(value ?? 0)) as number[];
  const date = new Date(fromMs);
  date.setUTCFullYear(date.getUTCFullYear() + years!, date.getUTCMonth() + months!);
  return date.getTime() + ((weeks! * 7 + days!) * 24 * 3600 + hours! * 3600 + minutes! * 60 + seconds!) * 1000;
}

/** The grant's claims, or the violations that make the token unusable. `nowMs` is sandbox time. */
export function readPortalJwt(jwt: string, { nowMs, callerId }: { nowMs: number; callerId: string }): { grant?: PortalGrant; violations: Violation[] } {
  const segments = jwt.split('.');
  const header = segments.length === 3 && segments[2] ? decodeSegment(segments[0]!) : undefined;
  const claims = header && typeof header === 'object' ? decodeSegment(segments[1]!) : undefined;
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
    return { violations: [{ parameter: 'body.jwt', reason: 'must be a signed JWT (base64url header, claims and signature)' }] };
  }
  const c = claims as Record<string, unknown>;
  const violations: Violation[] = [];
  const bad = (claim: string, reason: string) => violations.push({ parameter: `body.jwt.${claim}`, reason });
  const isText = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

  if (!isText(c.iss)) bad('iss', 'is required');
  else if (c.iss !== callerId) bad('iss', "must be the requesting partner's account id");
  if (!isText(c.jti)) bad('jti', 'is required');
  if (!isText(c.sub)) bad('sub', 'is required');
  else if (!EMAIL.test(c.sub)) bad('sub', 'must be the email of the user');
  if (c.iat === undefined) bad('iat', 'is required');
  else if (!Number.isInteger(c.iat)) bad('iat', 'must be seconds since the epoch');
  if (c.exp === undefined) bad('exp', 'is required');
  else if (!Number.isInteger(c.exp)) bad('exp', 'must be seconds since the epoch');
  else if ((c.exp as number) * 1000 <= nowMs) bad('exp', 'the token has expired');
  if (!isText(c.account_id)) bad('account_id', 'is required');
  if (c.roles === undefined) bad('roles', 'is required');
  else if (!Array.isArray(c.roles) || !c.roles.length || !c.roles.every(isText)) bad('roles', 'must be a non-empty array of role names');

  if (c.expires_at !== undefined) {
    const text = String(c.expires_at);
    const atMs = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
    if (Number.isNaN(atMs) || new Date(atMs).toISOString().slice(0, 10) !== text) bad('expires_at', 'must be a date in YYYY-MM-DD format');
    else if (atMs < Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS) bad('expires_at', 'must be a future date');
  }
  if (c.inactivity_grace_period !== undefined) {
    const endMs = typeof c.inactivity_grace_period === 'string' ? addDuration(nowMs, c.inactivity_grace_period) : undefined;
    if (endMs === undefined) bad('inactivity_grace_period', 'must be an ISO 8601 duration');
    else if (endMs < nowMs + DAY_MS || endMs > addDuration(nowMs, 'P6M')!) bad('inactivity_grace_period', 'must be between 1 day and 6 months');
  }
  return violations.length ? { violations } : { grant: c as unknown as PortalGrant, violations };
}

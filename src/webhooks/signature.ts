/**
 * Klarna's webhook signature: `Klarna-Signature` is the lower-case hex HMAC-SHA256 of the raw body
 * under the secret named by `Klarna-Signing-Key-Id`. Several keys may be configured at once, so a key
 * can be rotated without losing events signed with the old one. The comparison is constant-time; the
 * outcome says why a request was refused, never with the signature or the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVerdict = 'valid' | 'missing' | 'unknown-key' | 'malformed' | 'mismatch';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function verifySignature(rawBody: Uint8Array, headers: Headers, signingKeys: Readonly<Record<string, string>>): SignatureVerdict {
  const signature = headers.get('klarna-signature');
  const keyId = headers.get('klarna-signing-key-id');
  if (!signature || !keyId) return 'missing';
  const secret = Object.hasOwn(signingKeys, keyId) ? signingKeys[keyId] : undefined;
  if (!secret) return 'unknown-key';
  if (!HEX_SHA256.test(signature)) return 'malformed';
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? 'valid' : 'mismatch';
}

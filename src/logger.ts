/**
 * The structured JSON logger. Credentials, card data and signatures are redacted wherever they appear
 * in a logged object, so a careless log line cannot leak them.
 */
import pino, { type Logger } from 'pino';

/** Keys whose values are secret wherever they sit (top level, or one or two objects deep). */
const SECRET_KEYS = ['authorization', 'secret', 'pci_data', 'pciData', 'aes_key', 'aesKey', 'iv', 'cards', '["klarna-signature"]', 'signature', 'signingKey'];

export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'req.headers.authorization',
  'req.headers["klarna-signature"]',
];

export function createLogger({ level = 'info', destination }: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'klarna-partner-gateway' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The structured JSON logger. Credentials, card data and signatures are redacted wherever they appear
 * in a logged object, so a careless log line cannot leak them.
 */
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["klarna-signature"]',
  '*.secret',
  '*.pci_data',
  '*.pciData',
  '*.aes_key',
  '*.aesKey',
  '*.iv',
  '*.cards',
];

export function createLogger({ level = 'info', destination }: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'klarna-partner-gateway' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The structured JSON logger. Credentials, card data and signatures are redacted wherever they appear
 * in a logged object, so a careless log line cannot leak them.
 */
import pino, { type Logger } from 'pino';

/** Keys whose values are secret wherever they sit: at the top level, or one or two objects (or arrays) deep. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['authorization', 'secret', 'pci_data', 'pciData', 'aes_key', 'aesKey', 'iv', 'cards', 'klarna-signature', 'signature', 'signingKey']);
const CENSOR = '[redacted]';
/** Levels of objects below the line whose keys are checked (0 is the line itself). */
const DEEPEST = 2;

/** A shallow copy that keeps what the original is (an array, an Error with its message and stack). */
function copyOf<T extends object>(value: T): T {
  if (Array.isArray(value)) return value.slice() as T;
  return Object.defineProperties(Object.create(Object.getPrototypeOf(value) as object | null), Object.getOwnPropertyDescriptors(value)) as T;
}

/**
 * `value` with every secret key's value replaced by `[redacted]`, down to `DEEPEST`. The logged object
 * is never changed: a level is copied only where something below it is redacted, so a line with no
 * secret (the per-operation line) costs a walk of its keys and nothing more. (pino's own `redact`
 * with `*.key` and `*.*.key` paths cost ~32 µs a line, more than the rest of logging it.)
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > DEEPEST || ArrayBuffer.isView(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const item = source[key];
    const redacted = SECRET_KEYS.has(key) && item !== undefined ? CENSOR : redactSecrets(item, depth + 1);
    if (redacted !== item) (copy ??= copyOf(source))[key] = redacted;
  }
  return (copy ?? value) as T;
}

/**
 * The process's own log stream (`src/main.ts`): stdout written asynchronously, lines that arrive while a
 * write is in flight going out together, instead of one blocking write per line (one per operation: up
 * to ~60 µs each under load). pino flushes what is pending when the process exits, by `process.exit`
 * included; only a kill -9 can lose the lines of the last moment.
 */
export const processLogDestination = (): pino.DestinationStream => pino.destination({ dest: 1, sync: false });

export function createLogger({ level = 'info', destination }: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options = { level, formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) }, base: { service: 'klarna-partner-gateway' } };
  return destination ? pino(options, destination) : pino(options);
}

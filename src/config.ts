/**
 * Every setting of the gateway, read once from the environment and validated here. A bad value stops
 * start-up with a message naming the variable. Nothing else in `src/` reads `process.env`.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const ms = (fallback: number) => z.coerce.number().int().min(0).max(600_000).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    /** Partner Management API origin, e.g. https://api-global.test.klarna.com. Unset: embedded sandbox. */
    KLARNA_MANAGEMENT_URL: z.url().optional(),
    /** Merchant Card Service origin, e.g. https://api.klarna.com. Unset: embedded sandbox. */
    KLARNA_CARD_SERVICE_URL: z.url().optional(),
    /** Credentials held by the gateway (sent when a caller brings none). Unset: callers must bring their own. */
    KLARNA_API_KEY: z.string().min(1).optional(),
    /** Our name as Klarna's integrator (`Klarna-Integration-Metadata.integrator.name`). */
    KLARNA_INTEGRATOR_NAME: z
      .string()
      .regex(/^[A-Z0-9_]{1,50}$/, 'must be 1 to 50 of A-Z, 0-9 and _')
      .default('KLARNA_PARTNER_GATEWAY'),

    UPSTREAM_CONNECT_TIMEOUT_MS: ms(2_000),
    UPSTREAM_HEADERS_TIMEOUT_MS: ms(5_000),
    UPSTREAM_BODY_TIMEOUT_MS: ms(10_000),
    UPSTREAM_DEADLINE_MS: ms(8_000),
    UPSTREAM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Retries may add at most this fraction of calls (above a floor of 10), so they never multiply an outage. */
    UPSTREAM_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    UPSTREAM_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
    UPSTREAM_BREAKER_OPEN_MS: ms(5_000),
    /** Time-to-live of cached reference data (payment profiles, price plans), per principal. */
    REFERENCE_CACHE_TTL_MS: ms(60_000),

    /** Port of the embedded sandbox when no Klarna URL is set (0 picks a free port). */
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    SANDBOX_ACCOUNTS: z.coerce.number().int().min(0).max(10_000).default(25),
    SANDBOX_LENIENT: bool.default(false),
    SANDBOX_ONBOARDING_DELAY_MS: ms(2_000),
    SANDBOX_CANCELLATION_DELAY_MS: ms(5_000),

    GRAPHIQL: bool.optional(),

    /** `redis://host:6379/0`: events, webhook deduplication and card order polling shared by every replica. Unset: in process. */
    REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
    /** Prefix of every Redis key the gateway writes: one per deployment sharing a Redis (tests: one per file). */
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('klarna-gateway:'),
    /** Where Klarna's webhooks are received. */
    WEBHOOK_PATH: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be a path such as /webhooks/klarna').default('/webhooks/klarna'),
    /** JSON object of webhook signing keys by key id, `{"<Klarna-Signing-Key-Id>": "<secret>"}`; several during a rotation. */
    WEBHOOK_SIGNING_KEYS: z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<key id>": "<secret>"}' });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string().min(1), z.string().min(1), { error: 'must be a JSON object {"<key id>": "<secret>"}' }))
      .default({}),
    WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(256 * 1024),
    /** Events kept for subscribers that resume with `after`: at most this many, none older than `EVENT_RETENTION_MS`. */
    EVENT_RETENTION_COUNT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    EVENT_RETENTION_MS: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000),
    /** Card order cancellation polling: never two polls of an order closer than this. */
    CANCELLATION_POLL_MIN_MS: ms(1_000),
    /** ... and at least one this often, even when Klarna's `check_after` is further away. */
    CANCELLATION_POLL_MAX_MS: ms(60_000),
    /** A cancellation still pending after this long is no longer watched. */
    CANCELLATION_WATCH_MAX_MS: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(24 * 3_600_000),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.KLARNA_MANAGEMENT_URL) !== Boolean(env.KLARNA_CARD_SERVICE_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.KLARNA_MANAGEMENT_URL ? 'KLARNA_CARD_SERVICE_URL' : 'KLARNA_MANAGEMENT_URL'],
        message: 'set both Klarna URLs to use Klarna, or neither to use the embedded sandbox',
      });
    }
    if (['/graphql', '/metrics', '/health'].includes(env.WEBHOOK_PATH)) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_PATH'], message: 'must not be a path the gateway already serves' });
    }
    if (env.CANCELLATION_POLL_MIN_MS > env.CANCELLATION_POLL_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['CANCELLATION_POLL_MIN_MS'], message: 'must not exceed CANCELLATION_POLL_MAX_MS' });
    }
  });

export type Config = z.infer<typeof schema> & {
  /** True when no Klarna URL is configured: `npm start` runs the embedded sandbox. */
  sandbox: boolean;
  graphiql: boolean;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return {
    ...config,
    sandbox: !config.KLARNA_MANAGEMENT_URL,
    graphiql: config.GRAPHIQL ?? config.NODE_ENV !== 'production',
  };
}

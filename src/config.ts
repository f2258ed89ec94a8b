/**
 * Every setting of the gateway, read once from the environment and validated here. A bad value stops
 * start-up with a message naming the variable. Nothing else in `src/` reads `process.env`.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const ms = (fallback: number) => z.coerce.number().int().min(0).max(600_000).default(fallback);

/** `Name=ms,Name=ms` (spaces allowed) → `{ Name: ms }`, each TTL 0 to a day. */
const ttlList = z.string().transform((text, context) => {
  const ttls: Record<string, number> = {};
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d{1,9})$/.exec(item);
    if (!match || Number(match[2]) > 86_400_000) {
      context.addIssue({ code: 'custom', message: `"${item}" is not Type=milliseconds (0 to 86400000), e.g. Settlement=3600000,Store=30000` });
      continue;
    }
    ttls[match[1]!] = Number(match[2]);
  }
  return ttls;
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** OpenTelemetry collector base URL (OTLP/HTTP, JSON), e.g. http://localhost:4318; spans go to `<url>/v1/traces`. Unset: no tracing. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL such as http://localhost:4318' }).optional(),
    /** `service.name` of the gateway's spans. */
    OTEL_SERVICE_NAME: z.string().min(1).max(200).default('klarna-partner-gateway'),

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
    /** Attempts of one idempotent call (a read, a write with an idempotency key), the first included. */
    UPSTREAM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
    /** Retries may add at most this fraction of calls (above the floors), so they never multiply an outage. */
    UPSTREAM_RETRY_BUDGET_RATIO: z.coerce.number().min(0).max(1).default(0.3),
    /** Retries a second allowed whatever the ratio (per upstream), so a quiet gateway can still retry. */
    UPSTREAM_RETRY_BUDGET_PER_SECOND: z.coerce.number().int().min(0).max(10_000).default(10),
    /** `false`: no circuit breaker (every call is sent, whatever Klarna's recent failures). */
    UPSTREAM_BREAKER: bool.default(true),
    /** An operation's breaker opens when at least this fraction of its calls (not attempts) failed over UPSTREAM_BREAKER_WINDOW_MS... */
    UPSTREAM_BREAKER_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.5),
    /** ...once at least this many of its calls ended in that window. */
    UPSTREAM_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).max(100_000).default(20),
    UPSTREAM_BREAKER_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** How long an open breaker refuses calls before it lets one trial call through. */
    UPSTREAM_BREAKER_OPEN_MS: ms(5_000),
    /** Time-to-live of cached reference data (payment profiles, price plans), per principal. */
    REFERENCE_CACHE_TTL_MS: ms(60_000),
    /**
     * Settlement reports indexed in the background at once (after a first read of rows, the rest of the
     * report is downloaded once and scanned for where rows start, so any later page resumes near its
     * rows); 0: none (deep pages then resume only from checkpoints earlier reads passed).
     */
    REPORT_INDEXING_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),

    /** Port of the embedded sandbox when no Klarna URL is set (0 picks a free port). */
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    SANDBOX_ACCOUNTS: z.coerce.number().int().min(0).max(10_000).default(25),
    SANDBOX_LENIENT: bool.default(false),
    SANDBOX_ONBOARDING_DELAY_MS: ms(2_000),
    SANDBOX_CANCELLATION_DELAY_MS: ms(5_000),

    GRAPHIQL: bool.optional(),
    /** A JSON file `{ "sha256:<hex of the document>": "<document>" }` (or bare hex keys: GraphQL Code Generator's `persisted-documents.json` as written) of persisted operations, read at boot. */
    PERSISTED_OPERATIONS_MANIFEST: z.string().min(1).optional(),
    /** Allow-list mode: only the manifest's operations run; anything else is refused (PERSISTED_QUERY_ONLY). */
    PERSISTED_OPERATIONS_ONLY: bool.default(false),
    /** Automatic persisted queries: bytes of documents kept per process (an LRU); 0 turns APQ off. Off in allow-list mode. */
    APQ_CACHE_BYTES: z.coerce.number().int().min(0).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
    /** gzip / brotli answers as the client's `Accept-Encoding` asks (off: e.g. behind a proxy that compresses). */
    COMPRESSION: bool.default(true),
    /** Whole answers shorter than this many bytes go uncompressed (streamed `multipart/mixed` answers are always compressed). */
    COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).max(1024 * 1024 * 1024).default(1024),
    /** `/ready` probes each Klarna origin (`HEAD /`) at most once per this long; 0 probes on every request. */
    READINESS_CACHE_MS: ms(5_000),
    /** A readiness probe not answered within this counts the origin as unreachable. */
    READINESS_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    /** `/ready` fails for an API only once every one of its operations' breakers has refused calls this long without a break (0: as soon as they all are). */
    READINESS_BREAKER_OPEN_MS: ms(30_000),
    /** Queries and mutations one principal may run per minute (shared through Redis when set); 0 turns it off. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1_200),
    /** Failed authentications (refused tokens, Klarna's 401) one client address may have per minute before its requests are refused; 0 turns it off. */
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(30),
    /** Proxies in front of the gateway whose `X-Forwarded-For` entries are trusted to name the client's address (0: the connection's peer). */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Open subscriptions one WebSocket connection may hold (TOO_MANY_SUBSCRIPTIONS beyond). */
    MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(100_000).default(100),
    /** Open subscriptions one principal may hold on one replica, over SSE and WebSocket (TOO_MANY_SUBSCRIPTIONS beyond). */
    MAX_SUBSCRIPTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
    /** How long a query's answer is reused for the same principal (invalidated by our mutations and by events); 0: no cache. */
    RESPONSE_CACHE_TTL_MS: ms(0),
    /** `Type=ms,Type=ms`: TTLs for the named types over the defaults (settlements an hour; card data, credentials 0). */
    RESPONSE_CACHE_TTL_PER_TYPE: ttlList.default({}),
    /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
    SHUTDOWN_GRACE_MS: ms(10_000),
    /** `__schema`/`__type` answered. Unset: as GraphiQL (on outside production). */
    INTROSPECTION: bool.optional(),
    /** Refuse GET without `x-graphql-yoga-csrf` and form/text POSTs (HTTP 403). Unset: on in production. */
    CSRF_PREVENTION: bool.optional(),
    /** Origins whose pages may call the gateway, comma-separated (`https://app.example.com`). Unset: none in production, loopback pages (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) in development. */
    CORS_ORIGINS: z
      .string()
      .transform((text) => text.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins such as https://app.example.com, comma-separated')))
      .optional(),

    // Hostile and heavy requests (src/plugins/security.ts): each refusal has its own extensions.code.
    /** Request body, in bytes (413 REQUEST_TOO_LARGE). */
    MAX_REQUEST_BYTES: z.coerce.number().int().min(1_024).max(100 * 1024 * 1024).default(1024 * 1024),
    /** Operations in one batched (JSON array) request; 0 turns batching off (413 BATCH_TOO_LARGE). */
    MAX_BATCH_OPERATIONS: z.coerce.number().int().min(0).max(100).default(10),
    /** Lexical tokens in one document (TOO_MANY_TOKENS). */
    MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(100_000).default(1_000),
    /** Nesting of selections, fragments flattened (QUERY_TOO_DEEP). */
    MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
    MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1_000).default(15),
    MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1_000).default(50),
    /**
     * Klarna calls one operation may make: an operation planned to make more is refused before it starts
     * (QUERY_TOO_COSTLY); the calls really made are held to it too (UPSTREAM_CALL_LIMIT, the backstop).
     */
    MAX_UPSTREAM_CALLS_PER_OPERATION: z.coerce.number().int().min(1).max(100_000).default(200),
    /**
     * Rows (list items, page sizes multiplied through nesting) one answer may hold (RESULT_TOO_LARGE).
     * 20,000: twice the largest Dashboard (every connection at 100: 100 store groups × 100 stores plus the
     * account's other lists, about 10,400 rows), so it always runs; a fan-out of maximal pages over many
     * accounts (100 × 100 × 100) does not.
     */
    MAX_RESULT_ROWS: z.coerce.number().int().min(100).max(100_000_000).default(20_000),
    /** Answer `extensions.cost { plannedCalls, calls }` on every query and mutation. Unset: on in development. */
    COST_EXTENSION: bool.optional(),
    /** A query or mutation still running this long after it started is cut short (OPERATION_TIMEOUT). */
    OPERATION_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),

    // Who may do what (src/auth/): `passthrough` sends each caller's own Klarna credentials (Klarna judges);
    // `token` holds the Klarna key and lets callers in by a signed JWT with a role and accounts.
    AUTH_MODE: z.enum(['passthrough', 'token']).default('passthrough'),
    /** Token mode: the identity provider's JSON Web Key Set (RS256, ES256, EdDSA, ...), fetched and cached. */
    AUTH_JWKS_URL: z.url().optional(),
    /** Token mode: a shared HS256 secret instead of a JWKS (at least 32 characters). */
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (256 bits) for HS256').optional(),
    /** Token mode: the `iss` every token must carry. */
    AUTH_ISSUER: z.string().min(1).optional(),
    /** Token mode: an `aud` every token must carry (this gateway's name at the identity provider). */
    AUTH_AUDIENCE: z.string().min(1).optional(),
    /** Token mode: the claim holding the role (`viewer`, `operator` or `admin`). */
    AUTH_ROLE_CLAIM: z.string().min(1).default('role'),
    /** Token mode: the claim holding the partner accounts (an array of account KRNs, or `"*"` for all). */
    AUTH_ACCOUNTS_CLAIM: z.string().min(1).default('accounts'),
    /** Token mode: the longest a token may be valid, in seconds (`exp - iat`, and `exp` from now); longer ones are refused. */
    AUTH_MAX_TOKEN_LIFETIME_S: z.coerce.number().int().min(60).max(31_536_000).default(86_400),

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
    /** A webhook whose `occurred_at` is older than this is refused (400 STALE_EVENT); ids are remembered this long (+5 min). */
    WEBHOOK_MAX_AGE_MS: z.coerce.number().int().min(60_000).max(7 * 24 * 3_600_000).default(24 * 3_600_000),
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
    if (['/graphql', '/metrics', '/health', '/ready'].includes(env.WEBHOOK_PATH)) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_PATH'], message: 'must not be a path the gateway already serves' });
    }
    if (env.PERSISTED_OPERATIONS_ONLY && !env.PERSISTED_OPERATIONS_MANIFEST) {
      ctx.addIssue({ code: 'custom', path: ['PERSISTED_OPERATIONS_MANIFEST'], message: 'PERSISTED_OPERATIONS_ONLY=true needs the manifest of allowed operations' });
    }
    for (const { path, message } of authProblems(env)) ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.CANCELLATION_POLL_MIN_MS > env.CANCELLATION_POLL_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['CANCELLATION_POLL_MIN_MS'], message: 'must not exceed CANCELLATION_POLL_MAX_MS' });
    }
  });

/** What is wrong with the AUTH_* settings taken together (each alone is checked by the schema). */
function authProblems(env: {
  AUTH_MODE: 'passthrough' | 'token';
  AUTH_JWKS_URL?: string | undefined;
  AUTH_JWT_SECRET?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
  KLARNA_MANAGEMENT_URL?: string | undefined;
  KLARNA_API_KEY?: string | undefined;
}): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (env.AUTH_MODE !== 'token') {
    // Key material without token mode would leave the gateway open while its operator believes it is not.
    for (const name of ['AUTH_JWKS_URL', 'AUTH_JWT_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
      if (env[name]) problems.push({ path: name, message: 'is only used with AUTH_MODE=token; set AUTH_MODE=token to verify tokens, or remove it' });
    }
    return problems;
  }
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWT_SECRET) {
    problems.push({ path: 'AUTH_MODE', message: 'token mode needs key material to verify tokens: set AUTH_JWKS_URL (your identity provider\'s keys) or AUTH_JWT_SECRET (a shared HS256 secret)' });
  }
  if (env.AUTH_JWKS_URL && env.AUTH_JWT_SECRET) problems.push({ path: 'AUTH_JWT_SECRET', message: 'set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both' });
  if (!env.AUTH_ISSUER) problems.push({ path: 'AUTH_ISSUER', message: 'token mode needs the issuer (`iss`) tokens must carry' });
  if (!env.AUTH_AUDIENCE) problems.push({ path: 'AUTH_AUDIENCE', message: 'token mode needs the audience (`aud`) tokens must carry' });
  if (env.KLARNA_MANAGEMENT_URL && !env.KLARNA_API_KEY) {
    problems.push({ path: 'KLARNA_API_KEY', message: 'token mode calls Klarna with the gateway\'s own key: set KLARNA_API_KEY (callers bring tokens, not Klarna credentials)' });
  }
  return problems;
}

/** Settings the gateway no longer reads, and what replaced them: set, they are ignored with a warning. */
const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  MAX_QUERY_COST: 'the planned upstream call count (MAX_UPSTREAM_CALLS_PER_OPERATION) and MAX_RESULT_ROWS replaced it',
  UPSTREAM_BREAKER_THRESHOLD: 'the breaker now opens on a failure rate of calls: UPSTREAM_BREAKER_FAILURE_RATE over UPSTREAM_BREAKER_WINDOW_MS, once UPSTREAM_BREAKER_MIN_CALLS calls ended',
};

export type Config = z.infer<typeof schema> & {
  /** True when no Klarna URL is configured: `npm start` runs the embedded sandbox. */
  sandbox: boolean;
  graphiql: boolean;
  introspection: boolean;
  csrfPrevention: boolean;
  costExtension: boolean;
  /** Retired settings found in the environment (ignored; `main.ts` warns about each). */
  retiredSettings: { name: string; replacement: string }[];
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const graphiql = config.GRAPHIQL ?? config.NODE_ENV !== 'production';
  return {
    ...config,
    sandbox: !config.KLARNA_MANAGEMENT_URL,
    graphiql,
    // GraphiQL needs introspection: turning it on in production turns introspection on, unless told otherwise.
    introspection: config.INTROSPECTION ?? graphiql,
    csrfPrevention: config.CSRF_PREVENTION ?? config.NODE_ENV === 'production',
    costExtension: config.COST_EXTENSION ?? config.NODE_ENV === 'development',
    retiredSettings: Object.entries(RETIRED_SETTINGS)
      .filter(([name]) => env[name] !== undefined)
      .map(([name, replacement]) => ({ name, replacement })),
  };
}

/**
 * `npm run sandbox`: the Klarna sandbox as a standalone server, configured from the environment
 * (validated here, at the edge) and stopped cleanly on SIGINT/SIGTERM.
 */
import { z } from 'zod';
import { faultRuleSchema } from './faults.ts';
import { startSandbox } from './index.ts';
import { webhookSubscriberSchema } from './webhooks.ts';

const jsonArray = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
        return z.NEVER;
      }
    })
    .pipe(z.array(item));

const environment = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_ACCOUNTS: z.coerce.number().int().min(0).max(10_000).default(25),
  SANDBOX_SEED: z.coerce.number().int().default(20_250_101),
  SANDBOX_LENIENT: z.enum(['true', 'false']).default('false'),
  SANDBOX_ONBOARDING_DELAY_MS: z.coerce.number().int().min(0).default(2_000),
  SANDBOX_CANCELLATION_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
  /** JSON array of fault rules, e.g. `[{"operationId":"getAccount","errorRates":{"503":0.2}}]`. */
  SANDBOX_FAULTS: jsonArray(faultRuleSchema).optional(),
  /** JSON array of webhook subscribers `[{"url","signingKeyId","signingKey"}]`. */
  SANDBOX_WEBHOOKS: jsonArray(webhookSubscriberSchema).optional(),
});

const parsed = environment.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`Invalid ${issue.path.join('.')}: ${issue.message}`);
  process.exit(1);
}
const env = parsed.data;

const sandbox = await startSandbox({
  port: env.SANDBOX_PORT,
  host: env.SANDBOX_HOST,
  accounts: env.SANDBOX_ACCOUNTS,
  seed: env.SANDBOX_SEED,
  lenient: env.SANDBOX_LENIENT === 'true',
  onboardingDelayMs: env.SANDBOX_ONBOARDING_DELAY_MS,
  cancellationDelayMs: env.SANDBOX_CANCELLATION_DELAY_MS,
  faults: env.SANDBOX_FAULTS ?? [],
  webhooks: env.SANDBOX_WEBHOOKS ?? [],
}).catch((error: unknown) => {
  // A port that cannot be had: one line naming SANDBOX_PORT, no stack (nothing is wrong with the code).
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${env.SANDBOX_HOST}:${env.SANDBOX_PORT}`;
  const reason = code === 'EADDRINUSE' ? `${where} is already in use` : code === 'EACCES' ? `listening on ${where} is not permitted` : undefined;
  if (!reason) throw error;
  console.error(`Cannot start the sandbox: ${reason} (${code}). Stop what holds it, or set SANDBOX_PORT to another port (SANDBOX_PORT=0 picks a free one).`);
  process.exit(1);
});

console.log(`Klarna sandbox listening on ${sandbox.url}`);
console.log(`  Partner Management API:   ${sandbox.url}/v2/...`);
console.log(`  Merchant Card Service:    ${sandbox.url}/merchantcard/v3/...`);
console.log(`  Admin (counters, faults): ${sandbox.url}/__sandbox/...`);
console.log(`  Demo credentials:         Authorization: Basic ${sandbox.credentials.apiKey}`);
console.log(`  Second partner:           Authorization: Basic ${sandbox.credentials.otherApiKey}`);
console.log(`  Try: curl -H 'Authorization: Basic ${sandbox.credentials.apiKey}' -H 'Klarna-Integration-Metadata: {"integrator":{"name":"CURL","session_reference":"1"}}' ${sandbox.url}/v2/accounts/krn%3Apartner%3Aglobal%3Aaccount%3Alive%3ALWT2XJSE`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}

/**
 * `npm start`: read the configuration, start the embedded Klarna sandbox when no Klarna URL is set,
 * then the gateway; stop both cleanly on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, processLogDestination } from './logger.ts';
import { startSandbox } from './sandbox/index.ts';
import { startGateway, type GatewayTargets } from './server.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger({ level: config.LOG_LEVEL, destination: processLogDestination() });
for (const { name, replacement } of config.retiredSettings) logger.warn({ setting: name }, `${name} is no longer read and is ignored: ${replacement}`);

/**
 * A port that could not be listened on ends start-up with one line naming the variable that sets it
 * (no stack: nothing is wrong with the code); any other error is thrown on.
 */
function exitIfCannotListen(variable: 'PORT' | 'SANDBOX_PORT', port: number, host: string) {
  return (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const reason =
      code === 'EADDRINUSE' ? `${host}:${port} is already in use` : code === 'EACCES' ? `listening on ${host}:${port} is not permitted` : undefined;
    if (!reason) throw error;
    console.error(`Cannot start: ${reason} (${code}). Stop what holds it, or set ${variable} to another port (${variable}=0 picks a free one).`);
    process.exit(1);
  };
}

const sandbox = config.sandbox
  ? await startSandbox({
      port: config.SANDBOX_PORT,
      accounts: config.SANDBOX_ACCOUNTS,
      lenient: config.SANDBOX_LENIENT,
      onboardingDelayMs: config.SANDBOX_ONBOARDING_DELAY_MS,
      cancellationDelayMs: config.SANDBOX_CANCELLATION_DELAY_MS,
    }).catch(exitIfCannotListen('SANDBOX_PORT', config.SANDBOX_PORT, '127.0.0.1'))
  : undefined;

const targets: GatewayTargets = sandbox
  ? { managementUrl: sandbox.url, cardServiceUrl: sandbox.url, serverAuthorization: `Basic ${sandbox.credentials.apiKey}` }
  : {
      managementUrl: config.KLARNA_MANAGEMENT_URL!,
      cardServiceUrl: config.KLARNA_CARD_SERVICE_URL!,
      ...(config.KLARNA_API_KEY ? { serverAuthorization: `Basic ${config.KLARNA_API_KEY}` } : {}),
    };

// The sandbox delivers its signed webhooks to the gateway's own ingress, with a key made for this run:
// subscribe to `accountEvents` in one GraphiQL tab, disable a product in another, watch it arrive.
const sandboxWebhookKey = sandbox ? { signingKeyId: `sandbox-${randomBytes(4).toString('hex')}`, signingKey: randomBytes(32).toString('hex') } : undefined;
if (sandboxWebhookKey) config.WEBHOOK_SIGNING_KEYS = { ...config.WEBHOOK_SIGNING_KEYS, [sandboxWebhookKey.signingKeyId]: sandboxWebhookKey.signingKey };

const gateway = await startGateway(config, targets, { logger }).catch(exitIfCannotListen('PORT', config.PORT, config.HOST));
if (sandbox && sandboxWebhookKey) sandbox.webhooks.addSubscriber({ url: `${gateway.url}${config.WEBHOOK_PATH}`, ...sandboxWebhookKey });

if (sandbox) logger.info({ sandbox: sandbox.url }, 'embedded Klarna sandbox started (no KLARNA_MANAGEMENT_URL set)');
logger.info({ graphql: gateway.graphqlUrl }, 'gateway listening');
console.log(`\nKlarna Partner Gateway: ${gateway.graphqlUrl}${config.graphiql ? '  (open it in a browser for GraphiQL)' : ''}`);
if (sandbox) console.log(`Embedded Klarna sandbox: ${sandbox.url}  (demo data; no credentials needed in GraphiQL)\n`);

// One deadline for the whole shutdown: the gateway's grace (SHUTDOWN_GRACE_MS), then its cleanup; if
// anything still holds the process a second after the grace, it exits anyway (code 1: not clean).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down');
    setTimeout(() => {
      logger.warn('shutdown outlived its grace; exiting now');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 950).unref();
    // The embedded sandbox is what the requests in flight are talking to: it closes after the gateway.
    void gateway
      .close()
      .then(() => sandbox?.close())
      .then(() => process.exit(0));
  });
}

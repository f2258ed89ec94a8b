/**
 * Onboarding (`onboardPartner`) and migration (`migratePartner`) of a partner's merchant.
 *
 * Both create the whole account in one request and answer 200 with its summary while it is still
 * PARTIALLY_OPERATIONAL / INITIAL_SETUP; `behaviour.onboardingDelayMs` of sandbox time later it becomes
 * OPERATIONAL / SETUP_COMPLETE and the owner receives `partner.account.state-change.operational`.
 * Onboarding a reference the partner already uses is a conflict; migrating one "overwrites all existing
 * data with the new data provided", keeping the account's identifier and Klarna's compliance decisions.
 */
import { conflict, validationError } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import type { AccountRecord } from '../state.ts';
import { beginAccountSetup } from './account-lifecycle.ts';
import { buildAccountRecord, newAccountId, type BuildInput } from './account-builder.ts';
import { accountByReference, accountSummary } from './accounts.ts';
import { onboardingViolations } from './onboarding-rules.ts';

type Payload = BuildInput['payload'];

/** Payment account references are unique per acquiring partner; `replacing` is about to go away. */
function assertPaymentAccountReferencesFree(context: HandlerContext, payload: Payload, replacing?: AccountRecord): void {
  const wanted = new Set(payload.products.flatMap((product) => product.payment_accounts.map((a) => a.payment_account_reference)));
  for (const record of context.state.accounts.values()) {
    if (record.ownerId !== context.principal.id || record === replacing) continue;
    for (const product of record.products.values()) {
      for (const account of product.payment_accounts ?? []) {
        if (account.payment_account_reference !== undefined && wanted.has(account.payment_account_reference)) {
          throw conflict(`A payment account with the reference ${account.payment_account_reference} already exists.`);
        }
      }
    }
  }
}

function setUp(context: HandlerContext, { migrate }: { migrate: boolean }) {
  const payload = context.request.body as Payload;
  const violations = onboardingViolations(payload, { behaviour: context.behaviour, state: context.state, brandsOptional: migrate });
  if (violations.length) throw validationError(violations);

  const existing = accountByReference(context, payload.partner_account_reference);
  if (existing && !migrate) {
    throw conflict(`A partner account with the reference ${payload.partner_account_reference} already exists.`);
  }
  assertPaymentAccountReferencesFree(context, payload, existing);

  const accountId = existing?.account.partner_account_id ?? newAccountId(context.principal);
  const record = buildAccountRecord({ principal: context.principal, accountId, payload });
  if (existing) record.decisions = existing.decisions;
  context.state.accounts.set(accountId, record);
  beginAccountSetup(context, record, 'INITIAL_SETUP');
  context.applied(accountId);
  return json(200, accountSummary(record));
}

export const onboardingHandlers: HandlerMap = {
  onboardPartner: (context) => setUp(context, { migrate: false }),
  migratePartner: (context) => setUp(context, { migrate: true }),
};

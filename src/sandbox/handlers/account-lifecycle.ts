/**
 * The asynchronous part of an account's life: after onboarding, migration or an update with nested
 * objects Klarna keeps the account PARTIALLY_OPERATIONAL for a while, then moves it to
 * OPERATIONAL / SETUP_COMPLETE and tells the owner with `partner.account.state-change.operational`.
 */
import type { AccountRecord, Pm } from '../state.ts';
import { emitAccountEvent, type SandboxServices } from './common.ts';

export const OPERATIONAL_EVENT = 'partner.account.state-change.operational';

type AccountStateReason = Pm['PartnerAccount']['state_reason'];

/**
 * The transition each account is waiting for. A newer transition replaces an older one, so an update
 * made while an onboarding is still settling keeps the account PARTIALLY_OPERATIONAL for the full delay.
 */
const pending = new WeakMap<AccountRecord, symbol>();

/**
 * Puts the account into PARTIALLY_OPERATIONAL with `reason` now, and schedules its return to
 * OPERATIONAL `behaviour.onboardingDelayMs` of sandbox time later.
 */
export function beginAccountSetup(services: SandboxServices, record: AccountRecord, reason: AccountStateReason): void {
  record.account.state = 'PARTIALLY_OPERATIONAL';
  record.account.state_reason = reason;
  const token = Symbol(String(reason));
  pending.set(record, token);
  services.clock.schedule(services.clock.now() + services.behaviour.onboardingDelayMs, () => {
    if (pending.get(record) !== token) return;
    pending.delete(record);
    // Klarna may have disabled the account meanwhile; only a still-settling account completes.
    if (record.account.state !== 'PARTIALLY_OPERATIONAL') return;
    if (services.state.accounts.get(record.account.partner_account_id) !== record) return;
    record.account.state = 'OPERATIONAL';
    record.account.state_reason = 'SETUP_COMPLETE';
    emitAccountEvent(services, record, OPERATIONAL_EVENT, {
      partner_account_id: record.account.partner_account_id,
      partner_account_reference: record.account.partner_account_reference,
      state: 'OPERATIONAL',
      state_reason: 'SETUP_COMPLETE',
      previous_state: 'PARTIALLY_OPERATIONAL',
    });
  });
}


/**
 * Compliance decisions: Klarna's findings about a partner's merchant, readable by the partner (list,
 * newest first, and read). Only Klarna makes them; in the sandbox that is the admin route
 * `POST /__sandbox/compliance-decisions`, which may also disable or terminate the account's payment
 * product with `state_context.decision_id` naming the decision.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { json, type HandlerMap } from '../handler.ts';
import { paginate } from '../paging.ts';
import type { AdminHandler } from '../server.ts';
import type { Pm } from '../state.ts';
import { emitAccountEvent, itemOf, ownedAccount, pathParam, type SandboxServices } from './common.ts';
import { changeProductState } from './product-state.ts';

export const DECISION_CREATED_EVENT = 'compliance.decision.created';

export const complianceHandlers: HandlerMap = {
  listComplianceDecisions: (context) => {
    const record = ownedAccount(context);
    // Newest first; decisions made in the same millisecond keep the later one first.
    const decisions = [...record.decisions.values()]
      .map((decision, index) => ({ decision, index }))
      .sort((a, b) => Date.parse(b.decision.created_at) - Date.parse(a.decision.created_at) || b.index - a.index)
      .map(({ decision }) => decision);
    const page = paginate(decisions, context.request.query, (decision) => decision.decision_id, context.path);
    return json(200, { pagination: page.pagination, decisions: page.items });
  },

  getComplianceDecision: (context) => {
    const record = ownedAccount(context);
    return json(200, itemOf(record.decisions, pathParam(context, 'decision_id'), 'Compliance decision'));
  },
};

const decisionInput = z.object({
  partner_account_id: z.string().min(1),
  decision_type: z.enum(['FRAUDULENT_BEHAVIOUR', 'NON_COMPLIANT', 'PROHIBITED_OR_RESTRICTED_SEGMENT', 'OTHER_RISK']),
  /** What Klarna does about it: disable (the partner may re-enable) or terminate (only Klarna may). */
  action: z.enum(['DISABLE', 'TERMINATE']).optional(),
  reason_details: z.string().max(500).optional(),
});

export function complianceAdminRoutes(services: SandboxServices): Record<string, AdminHandler> {
  return {
    'POST /compliance-decisions': ({ body }) => {
      const input = decisionInput.parse(body);
      const record = services.state.accounts.get(input.partner_account_id);
      if (!record) throw new Error(`No partner account ${input.partner_account_id}`);
      const product = record.products.values().next().value;
      const decision = {
        decision_id: `krn:partner:global:compliance:decision:${randomUUID()}`,
        decision_type: input.decision_type,
        partner_account_id: record.account.partner_account_id,
        ...(product ? { product_instance_id: product.product_id } : {}),
        created_at: services.clock.iso(),
      } as Pm['ComplianceDecision'];
      record.decisions.set(decision.decision_id, decision);
      emitAccountEvent(services, record, DECISION_CREATED_EVENT, { ...decision }, product?.product_id);
      // A terminated product is final; a later decision does not turn it back into a disabled one.
      if (input.action && product && product.state !== 'TERMINATED') {
        const terminate = input.action === 'TERMINATE';
        changeProductState(services, record, product, {
          state: terminate ? 'TERMINATED' : 'DISABLED',
          stateReason: terminate ? 'TERMINATED_BY_KLARNA' : 'DISABLED_BY_KLARNA',
          stateContext: {
            decision_id: decision.decision_id,
            ...(input.reason_details ? { reason_details: input.reason_details } : {}),
            updated_at: services.clock.iso(),
          } as Pm['PaymentProduct']['state_context'],
        });
      }
      return decision;
    },
  };
}

/** Compliance decisions: Klarna's risk and compliance rulings about an account. */
import type { ComplianceDecision } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { openEnum } from './open-enum.ts';
import { scopedKey } from './scoped.ts';

export const ComplianceDecisionRef = builder.objectRef<ComplianceDecision>('ComplianceDecision');

export const ComplianceDecisionType = openEnum('ComplianceDecisionType', 'Why Klarna decided.', {
  FRAUDULENT_BEHAVIOUR: 'Fraudulent behaviour was detected.',
  NON_COMPLIANT: 'The merchant does not comply with requirements.',
  PROHIBITED_OR_RESTRICTED_SEGMENT: 'The merchant trades in a prohibited or restricted segment.',
  OTHER_RISK: 'Another risk.',
});

builder.node(ComplianceDecisionRef, {
  description: 'A decision Klarna made about an account, possibly disabling or terminating its payment product.',
  id: { resolve: (decision) => scopedKey(decision.partner_account_id, decision.decision_id) },
  loadOne: (key, context) => {
    const [accountId = '', id = ''] = nodeKeyParts('ComplianceDecision', key);
    return context.loaders.complianceDecision.load({ accountId, id });
  },
  fields: (t) => ({
    klarnaId: t.exposeString('decision_id', { description: "Klarna's identifier (KRN) of the decision." }),
    type: t.field({ type: ComplianceDecisionType.ref, description: 'The kind of decision.', resolve: (d) => ComplianceDecisionType.from(d.decision_type) }),
    typeRaw: t.exposeString('decision_type', { description: 'The kind of decision as Klarna sent it.' }),
    accountId: t.exposeString('partner_account_id', { description: 'The account the decision is about (KRN).' }),
    productId: t.string({ nullable: true, description: 'The product instance it concerns, if any (KRN).', resolve: (d) => d.product_instance_id ?? null }),
    createdAt: t.field({ type: 'DateTime', description: 'When Klarna made the decision.', resolve: (d) => d.created_at }),
  }),
});

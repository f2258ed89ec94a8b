/** Every documented operation of both contracts is implemented and answers at its documented route. */
import { describe, expect, it } from 'vitest';
import { createContract } from '../../src/contracts/contract.ts';
import { sandboxHandlers } from '../../src/sandbox/handlers/index.ts';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { call, useSandbox } from '../utils/sandbox.ts';

const contract = createContract();
const SAMPLE_ACCOUNT = 'krn:partner:global:account:live:LWT2XJSE';

/** Real identifiers from the seeded state for every path parameter the documents use. */
function sampleIds(sandbox: Sandbox, pathTemplate: string): Record<string, string> {
  const account = sandbox.state.accounts.get(SAMPLE_ACCOUNT)!;
  const firstKey = <T>(map: Map<string, T>) => map.keys().next().value ?? 'missing';
  const product = account.products.values().next().value;
  const credentialType = pathTemplate.includes('api-key') ? 'API' : pathTemplate.includes('client-identifier') ? 'CLIENT' : 'CLIENT_CERT';
  const credential = [...sandbox.state.credentials.values()].find(
    (record) => record.ownerId === DEMO_CREDENTIALS.principalId && record.credential.type === credentialType,
  );
  const cardSettlement = [...sandbox.state.cardSettlements.values()].find((record) => record.ownerId === DEMO_CREDENTIALS.principalId);
  return {
    partner_account_id: SAMPLE_ACCOUNT,
    partner_business_entity_id: firstKey(account.entities),
    brand_id: firstKey(account.brands),
    store_id: firstKey(account.stores),
    store_group_id: firstKey(account.storeGroups),
    product_id: 'default',
    payment_account_id: product?.payment_accounts?.[0]?.payment_account_id ?? 'missing',
    credential_id: credential?.credential.credential_id ?? 'missing',
    price_plan_id: firstKey(sandbox.state.pricePlans),
    settlement_id: pathTemplate.startsWith('/merchantcard') ? (cardSettlement?.settlement_id ?? 'missing') : 'krn:partner:eu1:settlement:live:113574395',
    decision_id: firstKey(account.decisions),
    promise_id: 'ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c',
    order_id: 'f3392f8b-6116-4073-ab96-e330819e2c07',
  };
}

describe('contract coverage', () => {
  const context = useSandbox();

  it('has 43 Partner Management and 7 Merchant Card Service operations, each with a handler', () => {
    const count = (api: string) => contract.operations.filter((operation) => operation.api === api).length;
    expect(count('partner-management')).toBe(43);
    expect(count('merchant-card-service')).toBe(7);
    const missing = contract.operations.map((o) => o.operationId).filter((id) => !(id in sandboxHandlers));
    expect(missing).toEqual([]);
  });

  it('compiles every request and response schema of both contracts (validators are otherwise compiled on first use)', () => {
    expect(() => contract.compileAll()).not.toThrow();
  });

  for (const operation of contract.operations) {
    it(`${operation.operationId} answers at ${operation.method} ${operation.pathTemplate}`, async () => {
      const ids = sampleIds(context.sandbox, operation.pathTemplate);
      const path = operation.pathTemplate.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(ids[name] ?? 'missing'));
      const query = operation.operationId === 'getPricePlan' ? '?merchant_category_code=5411' : '';
      const headers = { keyid: DEMO_CREDENTIALS.keyId };
      const response = await call(context.sandbox, operation.method, `${path}${query}`, {
        headers,
        ...(operation.hasJsonBody ? { body: {} } : {}),
      });
      if (operation.isWrite) {
        // An empty body may be refused (400), but the route exists and is implemented.
        expect([404, 405, 501]).not.toContain(response.status);
      } else if (operation.operationId === 'getOrderCancellation') {
        expect([200, 400]).toContain(response.status);
      } else {
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      }
    });
  }
});

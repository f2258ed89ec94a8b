/** The example queries, exactly as written, and what each costs upstream. */
import { describe, expect, it } from 'vitest';
import { CARD_QUERY, DASHBOARD_QUERY, PORTFOLIO_QUERY, SETTLEMENT_QUERY } from '../../src/examples.ts';
import { portfolioAccountIds } from '../../src/sandbox/seed/portfolio.ts';
import { admin } from '../utils/sandbox.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';

describe('read graph', () => {
  const context = useGateway({ sandbox: { seed: 7 } });

  it('answers Dashboard with the docs-sample account and all its sub-resources', async () => {
    const { body } = await gql(context.gateway, DASHBOARD_QUERY);
    expect(body.errors).toBeUndefined();
    const account = body.data.account;
    expect(account).toMatchObject({ name: 'Merchant ABC US', reference: 'M123786123412', state: 'OPERATIONAL', stateReason: 'SETUP_COMPLETE' });
    expect(account.contact.email).toContain('@');
    expect(account.businessEntities.edges.length).toBeGreaterThan(0);
    expect(account.brands.edges[0].node.displayName).toBeTruthy();
    const stores = account.storeGroups.edges.flatMap((group: any) => group.node.stores.edges);
    expect(stores.length).toBeGreaterThan(0);
    expect(stores[0].node).toMatchObject({ type: 'WEBSITE' });
    expect(account.paymentProducts[0]).toMatchObject({ state: 'ENABLED', stateReason: 'APPROVED' });
    expect(account.paymentProducts[0].paymentAccounts[0].defaultMerchantCategoryCode).toMatch(/^\d{4}$/);
    expect(account.complianceDecisions.edges.length).toBeLessThanOrEqual(5);
    expect(account.complianceDecisions.edges[0].node.createdAt).toMatch(/^\d{4}-/);
  });

  it('costs Dashboard exactly two upstream calls, in flight together', async () => {
    // The sandbox holds each call until both have arrived: calls made one after the other could not overlap.
    await admin(context.sandbox, 'POST', '/faults', { barrier: 2, times: 2, gateTimeoutMs: 10_000 });
    const { total, byOperation, peakInFlight } = await countCalls(context.sandbox, () => gql(context.gateway, DASHBOARD_QUERY));
    expect(byOperation).toEqual({ getAccount: 1, listComplianceDecisions: 1 });
    expect(total).toBe(2);
    expect(peakInFlight).toBe(2);
  });

  it('answers Settlement with its payout, transactions and parsed CSV rows, all calls in parallel', async () => {
    await admin(context.sandbox, 'POST', '/faults', { barrier: 4, times: 4, gateTimeoutMs: 10_000 });
    const { result, byOperation, peakInFlight } = await countCalls(context.sandbox, () => gql(context.gateway, SETTLEMENT_QUERY));
    const { body } = result;
    expect(body.errors).toBeUndefined();
    const settlement = body.data.settlement;
    expect(settlement).toMatchObject({ currency: 'USD' });
    expect(settlement.payout.status).toBe('PROCESSED');
    expect(settlement.transactions.edges.length).toBeGreaterThan(0);
    expect(settlement.transactions.edges[0].cursor).toBeTruthy();
    expect(settlement.report.rows.edges).toHaveLength(5);
    expect(settlement.report.rows.edges[0].node).toEqual({ type: 'SALE', detailedType: 'CAPTURE' });
    expect(byOperation).toEqual({ getSettlement: 1, getPayoutStatus: 1, listSettlementTransactions: 1, getSettlementCsv: 1 });
    expect(peakInFlight).toBe(4);
  });

  it('answers Card with the settlement encrypted for the key and the cancellation status', async () => {
    const { body } = await gql(context.gateway, CARD_QUERY);
    expect(body.errors).toBeUndefined();
    const order = body.data.cardOrder;
    expect(order.orderId).toBe('f3392f8b-6116-4073-ab96-e330819e2c07');
    expect(order.settlement.cards[0]).toMatchObject({ reference: 'yPGw6i4lR0GTcyxGpS3Q6Q==', currency: 'USD', brand: 'VISA' });
    expect(typeof order.settlement.cards[0].amount).toBe('number');
    expect(order.cancellation.status).toBe('NO_REQUEST_FOUND');
  });

  it('reads 20 accounts with exactly 20 calls, all in flight together (no N+1)', async () => {
    const ids = portfolioAccountIds(7, 20);
    await admin(context.sandbox, 'POST', '/faults', { operationId: 'getAccount', barrier: 20, times: 20, gateTimeoutMs: 10_000 });
    const { result, byOperation, peakInFlight } = await countCalls(context.sandbox, () => gql(context.gateway, PORTFOLIO_QUERY, { ids }));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.accounts).toHaveLength(20);
    expect(result.body.data.accounts.every((a: any) => a.paymentProducts.length >= 1)).toBe(true);
    expect(byOperation).toEqual({ getAccount: 20 });
    expect(peakInFlight).toBe(20);
  });

  it('reads an account asked for twice in one operation once', async () => {
    const id = portfolioAccountIds(7, 1)[0];
    const query = `query($id: ID!) { a: account(id: $id) { name brands { edges { node { displayName } } } } b: account(id: $id) { state } accounts(ids: [$id, $id]) { reference } }`;
    const { result, byOperation } = await countCalls(context.sandbox, () => gql(context.gateway, query, { id }));
    expect(result.body.errors).toBeUndefined();
    expect(byOperation).toEqual({ getAccount: 1 });
  });

  it('refetches any object by its global id through node()', async () => {
    const { body } = await gql(context.gateway, DASHBOARD_QUERY);
    const account = body.data.account;
    const ids = [
      account.id,
      account.businessEntities.edges[0].node.id,
      account.brands.edges[0].node.id,
      account.storeGroups.edges[0].node.id,
      account.storeGroups.edges[0].node.stores.edges[0].node.id,
      account.paymentProducts[0].id,
      account.paymentProducts[0].paymentAccounts[0].id,
      account.complianceDecisions.edges[0].node.id,
    ];
    const refetch = await gql(context.gateway, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(refetch.body.errors).toBeUndefined();
    expect(refetch.body.data.nodes.map((n: any) => n.id)).toEqual(ids);
    expect(refetch.body.data.nodes.map((n: any) => n.__typename)).toEqual([
      'Account', 'BusinessEntity', 'Brand', 'StoreGroup', 'Store', 'PaymentProduct', 'PaymentAccount', 'ComplianceDecision',
    ]);
  });
});

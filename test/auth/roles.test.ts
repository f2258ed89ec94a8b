/**
 * Roles in token mode: a viewer reads; an operator also changes existing accounts' resources and
 * product states and runs card orders; an admin also manages credentials (and onboards, and portal
 * access). A refused mutation answers `ForbiddenError` in its result union and makes no upstream call;
 * the same mutation by the next role up goes through, so each refusal is the role's doing.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { DOCS_ACCOUNT_ID } from '../../src/sandbox/seed/docs-samples.ts';
import { countCalls, gql, useGateway } from '../utils/gateway.ts';
import { admin } from '../utils/sandbox.ts';
import { bearer, TOKEN_ENV } from '../utils/tokens.ts';

const OUTCOME = '__typename ... on UserError { code message }';
const DISABLE = `mutation($input: DisablePaymentProductInput!) {
  disablePaymentProduct(input: $input) { ${OUTCOME} ... on PaymentProductStatePayload { paymentProduct { state } } }
}`;
const ENABLE = `mutation($input: EnablePaymentProductInput!) { enablePaymentProduct(input: $input) { ${OUTCOME} ... on PaymentProductStatePayload { paymentProduct { state } } } }`;
const CREATE_API_KEY = `mutation { createApiKey(input: { description: "role test" }) { ${OUTCOME} ... on CreateApiKeyPayload { secret credential { status } } } }`;
const CANCEL_ORDER = `mutation($orderId: ID!) { requestOrderCancellation(input: { orderId: $orderId }) { ${OUTCOME} ... on RequestOrderCancellationPayload { cancellation { status } } } }`;
const PRODUCT_STATE = `query($id: ID!) { account(id: $id) { paymentProducts { state } } }`;

describe('roles', () => {
  const env = useGateway({ env: TOKEN_ENV });

  /** Runs `query` as a token holder of `role` (every account), counting upstream calls. */
  async function as(role: string, query: string, variables: Record<string, unknown> = {}) {
    const headers = await bearer({ role, sub: `${role}-1` });
    return countCalls(env.sandbox, () => gql(env.gateway, query, variables, headers));
  }
  const disableInput = { input: { accountId: DOCS_ACCOUNT_ID, reason: 'VOLUNTARY', reasonDetails: 'Role test' } };

  it('lets a viewer read but not disable a product, without any upstream call', async () => {
    const read = await as('viewer', PRODUCT_STATE, { id: DOCS_ACCOUNT_ID });
    expect(read.result.body.data.account.paymentProducts).toEqual([{ state: 'ENABLED' }]);

    const { result, total } = await as('viewer', DISABLE, disableInput);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.disablePaymentProduct).toEqual({
      __typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: 'This needs the operator role; your token has viewer.',
    });
    expect(total).toBe(0);
    expect((await as('viewer', PRODUCT_STATE, { id: DOCS_ACCOUNT_ID })).result.body.data.account.paymentProducts).toEqual([{ state: 'ENABLED' }]);
  });

  it('lets an operator disable and enable a product, but not create an API key', async () => {
    const disabled = await as('operator', DISABLE, disableInput);
    expect(disabled.result.body.data.disablePaymentProduct).toEqual({ __typename: 'PaymentProductStatePayload', paymentProduct: { state: 'DISABLED' } });
    const enabled = await as('operator', ENABLE, { input: { accountId: DOCS_ACCOUNT_ID } });
    expect(enabled.result.body.data.enablePaymentProduct.paymentProduct).toEqual({ state: 'ENABLED' });

    const { result, total } = await as('operator', CREATE_API_KEY);
    expect(result.body.data.createApiKey).toMatchObject({ __typename: 'ForbiddenError', message: 'This needs the admin role; your token has operator.' });
    expect(total).toBe(0);
  });

  it('lets an admin create an API key', async () => {
    const { result, total } = await as('admin', CREATE_API_KEY);
    expect(result.body.data.createApiKey).toMatchObject({ __typename: 'CreateApiKeyPayload', credential: { status: 'ENABLED' } });
    expect(result.body.data.createApiKey.secret).toMatch(/^klarna_(test|live)_api_/);
    expect(total).toBe(1);
  });

  it('lets operators, not viewers, settle and cancel card orders', async () => {
    const { order_id: orderId } = await admin(env.sandbox, 'POST', '/card-orders', { amount: 4_000, currency: 'EUR' });
    const settle = `mutation($input: CreateCardSettlementInput!) { createCardSettlement(input: $input) { ${OUTCOME} ... on CreateCardSettlementPayload { settlement { keyId } } } }`;
    const input = { input: { orderId, keyId: DEMO_CREDENTIALS.keyId } };
    const refused = [await as('viewer', settle, input), await as('viewer', CANCEL_ORDER, { orderId })];
    expect(refused.map(({ result }) => Object.values(result.body.data as object)[0].__typename)).toEqual(['ForbiddenError', 'ForbiddenError']);
    expect(refused.map(({ total }) => total)).toEqual([0, 0]);

    const settled = await as('operator', settle, input);
    expect(settled.result.body.data.createCardSettlement).toEqual({ __typename: 'CreateCardSettlementPayload', settlement: { keyId: DEMO_CREDENTIALS.keyId } });
    const cancelled = await as('operator', CANCEL_ORDER, { orderId });
    expect(cancelled.result.body.data.requestOrderCancellation).toEqual({ __typename: 'RequestOrderCancellationPayload', cancellation: { status: 'PENDING' } });
  });

  it('refuses viewers every write of the matrix before any upstream call', async () => {
    // One write of each other group; the role is checked before anything else, even the input.
    const writes: [string, string, Record<string, unknown>][] = [
      ['updateAccount', 'UpdateAccountInput', { accountId: DOCS_ACCOUNT_ID, name: 'Viewer Was Here' }],
      ['onboardMerchant', 'OnboardMerchantInput', { reference: 'r', name: 'n', contact: { email: 'a@example.test' }, businessEntities: [], paymentProduct: { paymentProfileId: 'krn:x:y:z', paymentAccounts: [] }, brands: [], storeGroups: [] }],
      ['revokePortalAccess', 'RevokePortalAccessInput', { accountId: DOCS_ACCOUNT_ID }],
    ];
    for (const [name, type, input] of writes) {
      const { result, total } = await as('viewer', `mutation($input: ${type}!) { ${name}(input: $input) { ${OUTCOME} } }`, { input });
      expect(result.body.data?.[name], name).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      expect(total, name).toBe(0);
    }
  });
});

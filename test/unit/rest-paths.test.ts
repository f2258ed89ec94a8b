/**
 * No id can produce a request path outside its operation's template: `pathOf` over every path template
 * of both contracts, and every method of both REST clients with a hostile value in each id position,
 * the request caught before the network. A value is either refused (BAD_USER_INPUT, nothing sent) or
 * lands, encoded, as exactly one segment where its parameter is, and stays there when a URL parser
 * normalises the path (as undici does).
 */
import { describe, expect, it } from 'vitest';
import { createContract, type Operation } from '../../src/contracts/contract.ts';
import type { Upstream, UpstreamRequest } from '../../src/datasources/http.ts';
import { MerchantCardServiceClient } from '../../src/datasources/merchant-card-service.ts';
import { PartnerManagementClient } from '../../src/datasources/partner-management.ts';
import { MAX_SEGMENT_LENGTH, pathOf, segmentProblem } from '../../src/datasources/request-path.ts';
import type { CallContext } from '../../src/datasources/rest-client.ts';
import { GatewayError } from '../../src/errors.ts';
import { ID_RULES } from '../../src/schema/ids.ts';
import { VALID, hostileValues } from '../utils/hostile-ids.ts';

const contract = createContract();
const HOSTILE = hostileValues();

/** The template as a pattern: each `{name}` is one segment, captured; everything else literal. */
function templatePattern(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/?#]+)';
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names };
}

/** Checks that `path` is `template` with `expected` values in its segments, also after URL normalisation. */
function expectWithinTemplate(template: string, path: string, expected: Record<string, string>) {
  const { regex, names } = templatePattern(template);
  const match = regex.exec(path);
  expect(match, `${path} is not ${template}`).not.toBeNull();
  names.forEach((name, index) => {
    const segment = match![index + 1]!;
    expect(['.', '..']).not.toContain(decodeURIComponent(segment));
    expect(decodeURIComponent(segment)).toBe(expected[name]);
  });
  expect(new URL(path, 'https://klarna.example').pathname).toBe(path);
}

/** Expects `work` to refuse with BAD_USER_INPUT. */
function expectRefused(work: () => unknown) {
  let refused: unknown;
  try {
    work();
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(GatewayError);
  expect((refused as GatewayError).code).toBe('BAD_USER_INPUT');
}

describe('pathOf', () => {
  const templated = contract.operations.filter((operation) => operation.pathTemplate.includes('{'));

  it('covers the templated paths of both contracts', () => {
    expect(templated.length).toBeGreaterThan(20);
    expect(new Set(templated.map((operation) => operation.api))).toEqual(new Set(['partner-management', 'merchant-card-service']));
  });

  it('keeps every hostile value inside its segment of every template, or refuses it', () => {
    let accepted = 0;
    let refused = 0;
    for (const { pathTemplate } of templated) {
      const { names } = templatePattern(pathTemplate);
      for (const name of names) {
        for (const value of HOSTILE) {
          const parameters = Object.fromEntries(names.map((other) => [other, other === name ? value : VALID.account]));
          if (segmentProblem(value)) {
            expectRefused(() => pathOf(pathTemplate, parameters));
            refused += 1;
          } else {
            expectWithinTemplate(pathTemplate, pathOf(pathTemplate, parameters), parameters);
            accepted += 1;
          }
        }
      }
    }
    // Both branches ran: the guard is not refusing everything, nor letting everything through.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses empty and dot segments, separators, percent signs, control characters, lone surrogates and long values', () => {
    for (const value of ['', '.', '..', 'a/b', 'a\\b', '%2e%2e', 'a\r\nb', '\u0000', '\u007f', '\ud800', 'x'.repeat(MAX_SEGMENT_LENGTH + 1)]) {
      expectRefused(() => pathOf('/v2/accounts/{partner_account_id}', { partner_account_id: value }));
    }
    expect(pathOf('/v2/accounts/{partner_account_id}', { partner_account_id: 'x'.repeat(MAX_SEGMENT_LENGTH) })).toBe(`/v2/accounts/${'x'.repeat(MAX_SEGMENT_LENGTH)}`);
  });

  it('lets through every value an id rule of the schema accepts', () => {
    for (const rule of Object.values(ID_RULES)) {
      expect(segmentProblem(rule.example), rule.name).toBeUndefined();
    }
    for (const value of HOSTILE.filter((candidate) => Object.values(ID_RULES).some((rule) => rule.test(candidate)))) {
      expect(segmentProblem(value), value).toBeUndefined();
    }
  });
});

/** A client whose upstream records each request instead of sending it, answering `{}`. */
function recordingClients() {
  const sent: UpstreamRequest[] = [];
  const upstream: Upstream = {
    name: 'recorder',
    origin: 'https://klarna.example',
    send: async (call) => {
      sent.push(call);
      const bytes = new TextEncoder().encode('{}');
      return { status: 200, headers: {}, body: { bytes: async () => bytes, dump: async () => undefined } } as never;
    },
    breakerState: () => 'closed' as never,
    operationBreakerState: () => 'closed' as never,
    breakerOpenForMs: () => undefined,
    probe: async () => ({}) as never,
    close: async () => undefined,
  };
  const context: CallContext = { authorization: 'Basic test', correlationId: 'fuzz', integratorName: 'tests' };
  return { sent, pm: new PartnerManagementClient(upstream, context, () => []), mcs: new MerchantCardServiceClient(upstream, context, () => []) };
}

type Clients = ReturnType<typeof recordingClients>;
/** A client identifier's id up to its own part: what follows picks the client-identifier paths. */
const CLIENT_PREFIX = 'krn:partner:global:test:credential:client:';
/** Each client call with one hostile value `h` in one id position; the name says which. */
const CALLS: [string, (clients: Clients, h: string) => Promise<unknown>][] = [
  ['getAccount(accountId)', ({ pm }, h) => pm.getAccount(h, ['brands'])],
  ['listBusinessEntities(accountId)', ({ pm }, h) => pm.listBusinessEntities(h, { size: 1 })],
  ['getBusinessEntity(accountId)', ({ pm }, h) => pm.getBusinessEntity(h, VALID.businessEntity)],
  ['getBusinessEntity(entityId)', ({ pm }, h) => pm.getBusinessEntity(VALID.account, h)],
  ['listBrands(accountId)', ({ pm }, h) => pm.listBrands(h, { size: 1 })],
  ['getBrand(accountId)', ({ pm }, h) => pm.getBrand(h, VALID.brand)],
  ['getBrand(brandId)', ({ pm }, h) => pm.getBrand(VALID.account, h)],
  ['listStores(accountId)', ({ pm }, h) => pm.listStores(h, { size: 1 })],
  ['getStore(storeId)', ({ pm }, h) => pm.getStore(VALID.account, h)],
  ['listStoreGroups(accountId)', ({ pm }, h) => pm.listStoreGroups(h, { size: 1 })],
  ['getStoreGroup(storeGroupId)', ({ pm }, h) => pm.getStoreGroup(VALID.account, h)],
  ['listPaymentProducts(accountId)', ({ pm }, h) => pm.listPaymentProducts(h)],
  ['getPaymentAccount(productId)', ({ pm }, h) => pm.getPaymentAccount(VALID.account, h, VALID.paymentAccount)],
  ['getPaymentAccount(paymentAccountId)', ({ pm }, h) => pm.getPaymentAccount(VALID.account, VALID.product, h)],
  ['listComplianceDecisions(accountId)', ({ pm }, h) => pm.listComplianceDecisions(h, { size: 1 })],
  ['getComplianceDecision(decisionId)', ({ pm }, h) => pm.getComplianceDecision(VALID.account, h)],
  ['getCredential(credentialId)', ({ pm }, h) => pm.getCredential(h)],
  ['getCredential(client credentialId)', ({ pm }, h) => pm.getCredential(`${CLIENT_PREFIX}${h}`)],
  ['getPricePlan(pricePlanId)', ({ pm }, h) => pm.getPricePlan(h, { merchant_category_code: '5499' })],
  ['getSettlement(settlementId)', ({ pm }, h) => pm.getSettlement(h)],
  ['listSettlementTransactions(settlementId)', ({ pm }, h) => pm.listSettlementTransactions(h, { size: 1 })],
  ['listSettlementTransactions(startingAfter)', ({ pm }, h) => pm.listSettlementTransactions(VALID.settlement, { size: 1, startingAfter: h })],
  ['getPayoutStatus(settlementId)', ({ pm }, h) => pm.getPayoutStatus(h)],
  ['streamSettlementCsv(settlementId)', ({ pm }, h) => pm.streamSettlementCsv(h)],
  ['updateAccount(accountId)', ({ pm }, h) => pm.updateAccount(h, { name: 'x' }, 'key-1')],
  ['updateAccount(idempotencyKey)', ({ pm }, h) => pm.updateAccount(VALID.account, { name: 'x' }, h)],
  ['updateBusinessEntity(entityId)', ({ pm }, h) => pm.updateBusinessEntity(VALID.account, h, {}, 'key-1')],
  ['updateBrand(brandId)', ({ pm }, h) => pm.updateBrand(VALID.account, h, { reference: 'b', displayName: 'B' }, 'key-1')],
  ['updateStore(storeId)', ({ pm }, h) => pm.updateStore(VALID.account, h, { reference: 's', type: 'WEBSITE', url: 'https://shop.example' }, 'key-1')],
  ['updateStoreGroup(storeGroupId)', ({ pm }, h) => pm.updateStoreGroup(VALID.account, h, { reference: 'g', stores: [] }, 'key-1')],
  ['updatePaymentAccount(paymentAccountId)', ({ pm }, h) => pm.updatePaymentAccount(VALID.account, VALID.product, h, { reference: 'p' }, 'key-1')],
  ['setPaymentProductState(productId, enable)', ({ pm }, h) => pm.setPaymentProductState(VALID.account, h, { enable: true }, 'key-1')],
  ['setPaymentProductState(accountId, disable)', ({ pm }, h) => pm.setPaymentProductState(h, VALID.product, { enable: false, reason: 'FRAUD', reasonDetails: 'x' }, 'key-1')],
  ['updateCredential(credentialId)', ({ pm }, h) => pm.updateCredential(h, 'x', 'key-1')],
  ['disableCredential(credentialId)', ({ pm }, h) => pm.disableCredential(h, 'key-1')],
  ['updateCredential(client credentialId)', ({ pm }, h) => pm.updateCredential(`${CLIENT_PREFIX}${h}`, 'x', 'key-1')],
  ['disableCredential(client credentialId)', ({ pm }, h) => pm.disableCredential(`${CLIENT_PREFIX}${h}`, 'key-1')],
  ['revokeClientCertificate(credentialId)', ({ pm }, h) => pm.revokeClientCertificate(h, '2030-01-01T00:00:00Z', 'key-1')],
  ['revokePortalAccess(accountId)', ({ pm }, h) => pm.revokePortalAccess({ accountId: h }, 'key-1')],
  ['getPromise(promiseId)', ({ mcs }, h) => mcs.getPromise(h)],
  ['getSettlement(cardSettlementId)', ({ mcs }, h) => mcs.getSettlement(h, VALID.key)],
  ['getSettlement(keyId)', ({ mcs }, h) => mcs.getSettlement(VALID.cardSettlement, h)],
  ['getSettlementByOrder(orderId)', ({ mcs }, h) => mcs.getSettlementByOrder(h, VALID.key)],
  ['getSettlementByOrder(keyId)', ({ mcs }, h) => mcs.getSettlementByOrder(VALID.order, h)],
  ['getOrderCancellation(orderId)', ({ mcs }, h) => mcs.getOrderCancellation(h)],
  ['requestOrderCancellation(orderId)', ({ mcs }, h) => mcs.requestOrderCancellation(h, 'key-1')],
  ['createSettlement(keyId)', ({ mcs }, h) => mcs.createSettlement({ orderId: VALID.order, keyId: VALID.key }, h)],
];

const operationOf = (call: UpstreamRequest): Operation => {
  const operation = contract.operations.find((candidate) => candidate.operationId === call.operation);
  if (!operation) throw new Error(`no operation ${call.operation} in the contracts`);
  return operation;
};

/** Whether a header value could split or inject a header. */
const unsafeHeader = (value: string) => [...value].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);

describe('the REST clients', () => {
  it.each(CALLS)('%s: sends nothing for a hostile value, or keeps it inside its operation\'s template and headers', async (_name, call) => {
    for (const value of HOSTILE) {
      const clients = recordingClients();
      // A client method may refuse synchronously (building the path) or asynchronously (sending).
      const outcome = await Promise.resolve()
        .then(() => call(clients, value))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      if (outcome !== undefined) {
        expect(outcome, JSON.stringify(value).slice(0, 80)).toBeInstanceOf(GatewayError);
        expect((outcome as GatewayError).code).toBe('BAD_USER_INPUT');
        expect(clients.sent).toEqual([]);
        continue;
      }
      expect(clients.sent).toHaveLength(1);
      const [sent] = clients.sent;
      const operation = operationOf(sent!);
      const [path] = sent!.path.split('?');
      expect(sent!.method).toBe(operation.method);
      const { regex } = templatePattern(operation.pathTemplate);
      expect(regex.test(path!), `${path} is not ${operation.pathTemplate}`).toBe(true);
      expect(new URL(sent!.path, 'https://klarna.example').pathname).toBe(path);
      const matched = contract.match(sent!.method, path!);
      expect(matched && 'operation' in matched ? matched.operation.operationId : matched).toBe(operation.operationId);
      for (const header of Object.values(sent!.headers)) expect(unsafeHeader(header), header.slice(0, 80)).toBe(false);
    }
  });

  it('covers every operation of both contracts whose path takes an id', async () => {
    const covered = new Set<string>();
    for (const [, call] of CALLS) {
      const clients = recordingClients();
      await call(clients, VALID.order);
      for (const sent of clients.sent) covered.add(sent.operation);
    }
    const templated = contract.operations.filter((operation) => operation.pathTemplate.includes('{')).map((operation) => operation.operationId);
    expect(templated.filter((operationId) => !covered.has(operationId))).toEqual([]);
  });
});

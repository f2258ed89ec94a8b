/**
 * Fuzzing every way an id reaches the gateway: thousands of hostile values (test/utils/hostile-ids.ts)
 * over every root field that takes an id, every connection cursor, every node-id kind and part, junk
 * global ids, and every mutation whose input carries an id or a header value. Each must be refused with
 * a documented code (BAD_USER_INPUT, or NOT_FOUND for a global id of a type `node` cannot read; a
 * mutation answers ValidationError, code VALIDATION_FAILED), never INTERNAL_SERVER_ERROR or HTTP 500, and the sandbox must
 * receive no request for what is refused: none at all, except that a connection (each is under an
 * account or a settlement) refuses only itself (the error on its own path, the parent answered), so
 * the parent is read (`getAccount`, `getSettlement`) and nothing else.
 *
 * Operations travel in JSON batches of MAX_BATCH_OPERATIONS (one small operation each, so no alias
 * limit applies), a few batches at a time.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { NODE_KEYS, encodeGlobalId, type NodeType } from '../../src/schema/global-ids.ts';
import { idempotencyKey } from '../../src/schema/validation.ts';
import { admin } from '../utils/sandbox.ts';
import { countCalls, useGateway } from '../utils/gateway.ts';
import { VALID, anyRuleAccepts, invalidIds } from '../utils/hostile-ids.ts';

const DOCUMENTED = new Set(['BAD_USER_INPUT', 'NOT_FOUND']);
const BATCH = 10;
const CONCURRENCY = 4;

interface Probe {
  /** What is fuzzed, for failure messages. */
  target: string;
  query: string;
  variables: Record<string, unknown>;
  /** A mutation answers its refusal in its result union, under this field. */
  mutation?: string;
  /** Codes this probe may answer (default: both documented ones). */
  codes?: ReadonlySet<string>;
  /** A connection under an account or a settlement: its error must sit on this path, and that parent be answered. */
  connectionPath?: (string | number)[];
}

/** Header values (not ids) a value must also break to be hostile there: the idempotency key's own rule. */
const HEADER_FIELDS: Record<string, (value: string) => boolean> = {
  idempotencyKey: (value) => !idempotencyKey.safeParse(value).success,
};

const BAD_INPUT_ONLY = new Set(['BAD_USER_INPUT']);
const NOT_FOUND_ONLY = new Set(['NOT_FOUND']);

/** Queries with one `$v` to fuzz; the other arguments are ids the sandbox has. */
const QUERIES: [string, string][] = [
  ['account(id)', `query($v: ID!) { account(id: $v) { name } }`],
  ['settlement(id)', `query($v: ID!) { settlement(id: $v) { klarnaId } }`],
  ['pricePlan(id)', `query($v: ID!) { pricePlan(id: $v, merchantCategoryCode: "5499") { id } }`],
  ['cardOrder(orderId)', `query($v: ID!) { cardOrder(orderId: $v) { orderId } }`],
  ['cardOrder.settlement(keyId)', `query($v: String!) { cardOrder(orderId: "${VALID.order}") { settlement(keyId: $v) { klarnaId } } }`],
  ['cardPromise(id)', `query($v: ID!) { cardPromise(id: $v) { klarnaId } }`],
  ['cardSettlement(id)', `query($v: ID!) { cardSettlement(id: $v, keyId: "${VALID.key}") { klarnaId } }`],
  ['cardSettlement(keyId)', `query($v: String!) { cardSettlement(id: "${VALID.cardSettlement}", keyId: $v) { klarnaId } }`],
  ['credential(id)', `query($v: ID!) { credential(id: $v) { klarnaId } }`],
];

const page = (field: string, args: string) => `${field}(${args}) { edges { cursor } }`;
/** Connections with one `$v` cursor to fuzz, forward and backward, with their path (each is under an account or a settlement). */
const CURSORS: [string, (args: string) => string, (string | number)[]?][] = [
  ['Account.businessEntities', (args) => `query($v: String!) { account(id: "${VALID.account}") { ${page('businessEntities', args)} } }`, ['account', 'businessEntities']],
  ['Account.brands', (args) => `query($v: String!) { account(id: "${VALID.account}") { ${page('brands', args)} } }`, ['account', 'brands']],
  ['Account.storeGroups', (args) => `query($v: String!) { account(id: "${VALID.account}") { ${page('storeGroups', args)} } }`, ['account', 'storeGroups']],
  ['Account.stores', (args) => `query($v: String!) { account(id: "${VALID.account}") { ${page('stores', args)} } }`, ['account', 'stores']],
  ['Account.complianceDecisions', (args) => `query($v: String!) { account(id: "${VALID.account}") { ${page('complianceDecisions', args)} } }`, ['account', 'complianceDecisions']],
  [
    'StoreGroup.stores',
    (args) => `query($v: String!) { account(id: "${VALID.account}") { storeGroups(first: 1) { edges { node { ${page('stores', args)} } } } } }`,
    ['account', 'storeGroups', 'edges', 0, 'node', 'stores'],
  ],
  ['Settlement.transactions', (args) => `query($v: String!) { settlement(id: "${VALID.settlement}") { ${page('transactions', args)} } }`, ['settlement', 'transactions']],
  ['SettlementReport.rows', (args) => `query($v: String!) { settlement(id: "${VALID.settlement}") { report { ${page('rows', args)} } } }`, ['settlement', 'report', 'rows']],
];

const OUTCOME = '__typename ... on UserError { code }';
/** Mutations with one input field to fuzz, the rest of the input valid. */
const MUTATIONS: [string, string, Record<string, unknown>, string][] = [
  ['updateAccount', 'UpdateAccountInput', { accountId: VALID.account, name: 'Renamed AB' }, 'accountId'],
  ['updateAccount', 'UpdateAccountInput', { accountId: VALID.account, name: 'Renamed AB' }, 'idempotencyKey'],
  ['updateBusinessEntity', 'UpdateBusinessEntityInput', { accountId: VALID.account, businessEntityId: VALID.businessEntity, operatingAddresses: [] }, 'accountId'],
  ['updateBusinessEntity', 'UpdateBusinessEntityInput', { accountId: VALID.account, businessEntityId: VALID.businessEntity, operatingAddresses: [] }, 'businessEntityId'],
  ['updateBrand', 'UpdateBrandInput', { accountId: VALID.account, brandId: VALID.brand, reference: 'b', displayName: 'B' }, 'accountId'],
  ['updateBrand', 'UpdateBrandInput', { accountId: VALID.account, brandId: VALID.brand, reference: 'b', displayName: 'B' }, 'brandId'],
  ['updateStore', 'UpdateStoreInput', { accountId: VALID.account, storeId: VALID.store, reference: 's', type: 'WEBSITE', url: 'https://shop.example' }, 'storeId'],
  [
    'updateStoreGroup',
    'UpdateStoreGroupInput',
    { accountId: VALID.account, storeGroupId: VALID.storeGroup, group: { reference: 'g', stores: [{ reference: 's', type: 'WEBSITE', url: 'https://shop.example' }] } },
    'storeGroupId',
  ],
  ['updatePaymentAccount', 'UpdatePaymentAccountInput', { accountId: VALID.account, productId: VALID.product, paymentAccountId: VALID.paymentAccount, reference: 'p' }, 'productId'],
  ['updatePaymentAccount', 'UpdatePaymentAccountInput', { accountId: VALID.account, productId: VALID.product, paymentAccountId: VALID.paymentAccount, reference: 'p' }, 'paymentAccountId'],
  ['enablePaymentProduct', 'EnablePaymentProductInput', { accountId: VALID.account, productId: VALID.product }, 'productId'],
  ['disablePaymentProduct', 'DisablePaymentProductInput', { accountId: VALID.account, reason: 'VOLUNTARY', reasonDetails: 'fuzz' }, 'accountId'],
  ['updateApiKey', 'UpdateCredentialInput', { credentialId: VALID.credential, description: 'fuzz' }, 'credentialId'],
  ['disableApiKey', 'DisableCredentialInput', { credentialId: VALID.credential }, 'credentialId'],
  ['updateClientIdentifier', 'UpdateCredentialInput', { credentialId: VALID.clientCredential, description: 'fuzz' }, 'credentialId'],
  ['disableClientIdentifier', 'DisableCredentialInput', { credentialId: VALID.clientCredential }, 'credentialId'],
  ['revokeClientCertificate', 'RevokeClientCertificateInput', { credentialId: VALID.certificate, revokedFrom: '2030-01-01T00:00:00Z' }, 'credentialId'],
  ['createCardPromise', 'CreateCardPromiseInput', { orderId: VALID.order, cards: [{ reference: 'c', amount: 100, currency: 'EUR' }] }, 'orderId'],
  ['createCardSettlement', 'CreateCardSettlementInput', { orderId: VALID.order, keyId: VALID.key }, 'orderId'],
  ['createCardSettlement', 'CreateCardSettlementInput', { orderId: VALID.order, keyId: VALID.key }, 'promiseId'],
  ['createCardSettlement', 'CreateCardSettlementInput', { orderId: VALID.order, keyId: VALID.key }, 'keyId'],
  ['requestOrderCancellation', 'RequestOrderCancellationInput', { orderId: VALID.order }, 'orderId'],
  ['revokePortalAccess', 'RevokePortalAccessInput', { accountId: VALID.account }, 'accountId'],
];

/** Valid key parts of each node type, to put one hostile part among. */
const NODE_PARTS: Record<NodeType, string[]> = {
  Account: [VALID.account],
  BusinessEntity: [VALID.account, VALID.businessEntity],
  Brand: [VALID.account, VALID.brand],
  Store: [VALID.account, VALID.store],
  StoreGroup: [VALID.account, VALID.storeGroup],
  ComplianceDecision: [VALID.account, VALID.decision],
  PaymentProduct: [VALID.account, VALID.product],
  PaymentAccount: [VALID.account, VALID.product, VALID.paymentAccount],
  Settlement: [VALID.settlement],
  Credential: [VALID.credential],
  CardPromise: [VALID.promise],
  CardSettlement: [VALID.cardSettlement, VALID.key],
  CardOrder: [VALID.order],
};

/** A small deterministic PRNG (mulberry32), for junk bytes. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Values that are not global ids of this API: junk bytes, hostile strings, near misses. */
function malformedGlobalIds(): string[] {
  const next = random(20_250_101);
  const bytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256))).toString('base64');
  return [
    ...Array.from({ length: 20 }, (_, index) => bytes(4 + index * 3)),
    ...invalidIds().filter((_, index) => index % 9 === 0),
    base64('Account'),
    base64('Account:'),
    base64(`:${VALID.account}`),
    base64(`1Account:${VALID.account}`),
    // A settlement's global id ends in padding: without it, or with a space inside, it is not one.
    encodeGlobalID('Settlement', VALID.settlement).replace(/=+$/, ''),
    encodeGlobalID('Settlement', VALID.settlement).replace('dGxl', 'dGxl '),
    ` ${encodeGlobalID('Account', VALID.account)}`,
    `${encodeGlobalID('Account', VALID.account)}\n`,
    encodeGlobalID('Account', VALID.account.repeat(40)),
    encodeGlobalID('Brand', VALID.account),
    encodeGlobalID('Brand', `${VALID.account}  ${VALID.brand}`),
    encodeGlobalID('CardSettlement', `${VALID.cardSettlement} bad\r\nkey`),
    encodeGlobalID('CardSettlement', `${VALID.cardSettlement} ${VALID.key} extra`),
    encodeGlobalID('PaymentAccount', `${VALID.account} default`),
    // The compact form: junk after a type byte, cut short, a byte too many, an unknown type or prefix,
    // a last character with stray bits, padding, a standard-base64 character.
    ...Array.from({ length: 10 }, (_, index) => `${'ABCDEFGHIJKLMNOP'[index]}${bytes(3 + index * 3).replace(/[+/=]/g, '')}`),
    encodeGlobalId('Brand', `${VALID.account} ${VALID.brand}`).slice(0, -3),
    `${encodeGlobalId('Account', VALID.account)}AA`,
    `P${encodeGlobalId('Account', VALID.account).slice(1)}`,
    `${encodeGlobalId('Settlement', VALID.settlement).slice(0, -1)}B`,
    `${encodeGlobalId('CardOrder', VALID.order)}==`,
    `${encodeGlobalId('CardOrder', VALID.order).slice(0, -1)}+`,
    encodeGlobalId('Brand', VALID.account),
    encodeGlobalId('PaymentAccount', `${VALID.account} default`),
  ];
}

/** Well-formed global ids of types `node` cannot read. */
const UNREADABLE_GLOBAL_IDS = [
  encodeGlobalID('Nope', VALID.account),
  encodeGlobalID('VirtualCard', VALID.order),
  encodeGlobalID('Query', VALID.account),
  encodeGlobalID('Money', VALID.account),
  encodeGlobalID('PageInfo', 'x'),
];

/** Every probe: each target with its share of the hostile values (every value is used by some target). */
function probes(): Probe[] {
  const values = invalidIds();
  const list: Probe[] = [];
  let target = 0;
  /** The values this target fuzzes: a rotating seventh of the list, and every long one. */
  const share = () => {
    const offset = target++ % 7;
    return values.filter((value, index) => index % 7 === offset || value.length > 255);
  };
  for (const [name, query] of QUERIES) for (const value of share()) list.push({ target: name, query, variables: { v: value } });
  for (const value of share()) list.push({ target: 'accounts(ids)', query: `query($ids: [ID!]!) { accounts(ids: $ids) { name } }`, variables: { ids: [VALID.account, value] } });
  for (const [name, make, connectionPath] of CURSORS) {
    const under = connectionPath ? { connectionPath } : {};
    for (const value of share()) list.push({ target: `${name}(after)`, query: make('first: 1, after: $v'), variables: { v: value }, codes: BAD_INPUT_ONLY, ...under });
    for (const value of share()) list.push({ target: `${name}(before)`, query: make('last: 1, before: $v'), variables: { v: value }, codes: BAD_INPUT_ONLY, ...under });
  }
  const node = `query($v: ID!) { node(id: $v) { id } }`;
  for (const [typename, parts] of Object.entries(NODE_PARTS)) {
    parts.forEach((_, position) => {
      for (const value of share()) {
        const key = parts.map((part, index) => (index === position ? value : part)).join(' ');
        // Both forms: the compact one handed out now, and the old one still read.
        const encode = list.length % 2 ? encodeGlobalId : encodeGlobalID;
        list.push({ target: `node(${typename} part ${position})`, query: node, variables: { v: encode(typename, key) }, codes: BAD_INPUT_ONLY });
      }
    });
  }
  const nodes = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
  for (const junk of malformedGlobalIds()) {
    list.push({ target: 'node(malformed)', query: node, variables: { v: junk }, codes: BAD_INPUT_ONLY });
    // One malformed id refuses the whole list, so not even the valid one beside it is read.
    list.push({ target: 'nodes(malformed)', query: nodes, variables: { ids: [encodeGlobalID('Account', VALID.account), junk] }, codes: BAD_INPUT_ONLY });
  }
  for (const unreadable of UNREADABLE_GLOBAL_IDS) {
    list.push({ target: 'node(unreadable)', query: node, variables: { v: unreadable }, codes: NOT_FOUND_ONLY });
    list.push({ target: 'nodes(unreadable)', query: nodes, variables: { ids: [unreadable, ...UNREADABLE_GLOBAL_IDS] }, codes: NOT_FOUND_ONLY });
  }
  for (const [name, type, input, field] of MUTATIONS) {
    const query = `mutation($input: ${type}!) { ${name}(input: $input) { ${OUTCOME} } }`;
    const refused = HEADER_FIELDS[field] ?? (() => true);
    for (const value of share().filter(refused)) {
      list.push({ target: `${name}.${field}`, query, variables: { input: { ...input, [field]: value } }, mutation: name, codes: BAD_INPUT_ONLY });
    }
  }
  return list;
}

interface Answer {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const lines: string[] = [];
const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });

describe('fuzzing ids, cursors and global ids', () => {
  // The rate limit (1,200 operations a minute by default) would answer RATE_LIMITED long before the end.
  const context = useGateway({ logger, env: { RATE_LIMIT_PER_MINUTE: '0' } });

  it('generates only values no id rule accepts, and more than a thousand probes over every target', () => {
    expect(invalidIds().every((value) => !anyRuleAccepts(value))).toBe(true);
    const all = probes();
    expect(all.length).toBeGreaterThan(1_000);
    const nodeTypes = new Set(all.filter((probe) => probe.target.includes(' part ')).map((probe) => probe.target.split(' ')[0]!.slice(5)));
    expect([...nodeTypes].sort()).toEqual(Object.keys(NODE_KEYS).sort());
  });

  /** Sends the probes in batches and returns what went wrong, and the calls the sandbox received. */
  async function run(list: Probe[]) {
    const batches = Array.from({ length: Math.ceil(list.length / BATCH) }, (_, index) => list.slice(index * BATCH, (index + 1) * BATCH));
    const failures: string[] = [];
    const statuses = new Set<number>();
    await admin(context.sandbox, 'DELETE', '/counters');

    await pool(batches, CONCURRENCY, async (batch) => {
      const response = await request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(batch.map(({ query, variables }) => ({ query, variables }))),
      });
      statuses.add(response.statusCode);
      const answers = (await response.body.json()) as Answer[];
      batch.forEach((probe, index) => {
        const answer = answers[index];
        const label = `${probe.target} ${JSON.stringify(probe.variables).slice(0, 120)}`;
        const codes = (answer?.errors ?? []).map((error) => String(error.extensions?.code));
        const allowed = probe.codes ?? DOCUMENTED;
        if (codes.some((code) => !allowed.has(code))) failures.push(`${label}: ${codes.join(', ')} ${answer?.errors?.[0]?.message}`);
        if (probe.mutation) {
          const result = answer?.data?.[probe.mutation];
          if (result?.__typename !== 'ValidationError' || result.code !== 'VALIDATION_FAILED') failures.push(`${label}: answered ${JSON.stringify(result)}`);
        } else if (!codes.length) {
          failures.push(`${label}: answered without an error`);
        }
        if (probe.connectionPath) {
          const paths = (answer?.errors ?? []).map((error) => JSON.stringify(error.path));
          if (paths.some((path) => path !== JSON.stringify(probe.connectionPath))) failures.push(`${label}: error at ${paths.join(', ')}, not on the connection`);
          const parent = String(probe.connectionPath[0]);
          if (!answer?.data?.[parent]) failures.push(`${label}: the ${parent} was not answered`);
        }
        for (const error of answer?.errors ?? []) if (error.message.length < 20) failures.push(`${label}: terse message "${error.message}"`);
      });
    });
    const counters = await admin<{ total: number; byOperation: Record<string, { total: number }> }>(context.sandbox, 'GET', '/counters');
    return { failures, statuses, counters };
  }

  it('refuses every probe with a documented code before any request reaches the sandbox', async () => {
    const { failures, statuses, counters } = await run(probes().filter((probe) => !probe.connectionPath));
    expect(failures.slice(0, 20)).toEqual([]);
    expect([...statuses]).toEqual([200]);
    expect(counters.total, JSON.stringify(counters.byOperation)).toBe(0);
    const unexpected = lines.join('').split('\n').filter((line) => line.includes('unexpected error'));
    expect(unexpected.slice(0, 3)).toEqual([]);
  }, 60_000);

  it('refuses every cursor of a connection on that connection alone: its account or settlement is read, nothing for the connection', async () => {
    const nested = probes().filter((probe) => probe.connectionPath);
    expect(nested.length).toBeGreaterThan(100);
    const { failures, statuses, counters } = await run(nested);
    expect(failures.slice(0, 20)).toEqual([]);
    expect([...statuses]).toEqual([200]);
    // Only the parents themselves (at most one read per probe): no list, page, group, store or report call.
    expect(Object.keys(counters.byOperation).sort()).toEqual(['getAccount', 'getSettlement']);
    expect(counters.total).toBeLessThanOrEqual(nested.length);
    const unexpected = lines.join('').split('\n').filter((line) => line.includes('unexpected error'));
    expect(unexpected.slice(0, 3)).toEqual([]);
  }, 60_000);

  it('answers per item in nodes: NOT_FOUND for an id of a type node cannot read, the others read once each', async () => {
    const account = encodeGlobalID('Account', VALID.account);
    const ids = [account, base64(`VirtualCard:${VALID.order}`), encodeGlobalID('Settlement', VALID.settlement), account];
    const { result, byOperation } = await countCalls(context.sandbox, async () => {
      const response = await request(context.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: `query($ids: [ID!]!, $id: ID!) { nodes(ids: $ids) { __typename } node(id: $id) { __typename } }`, variables: { ids, id: account } }),
      });
      return (await response.body.json()) as Answer;
    });
    expect(result.data).toEqual({ nodes: [{ __typename: 'Account' }, null, { __typename: 'Settlement' }, { __typename: 'Account' }], node: { __typename: 'Account' } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['nodes', 1], extensions: { code: 'NOT_FOUND' } });
    expect(byOperation).toEqual({ getAccount: 1, getSettlement: 1 });
  });
});

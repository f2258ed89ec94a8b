/**
 * The bare reference gateway of `npm run bench -- overhead`: graphql-yoga, DataLoader, undici `request`
 * on one keep-alive Agent and the product's selection-driven `expand`, nothing else (no auth, limits,
 * logs, metrics, spans or contract checks). It answers the four benchmark queries (`src/examples.ts`)
 * with the same `data` as the full gateway, byte for byte (global ids, cursors and open enums encoded
 * the same way), with the same upstream calls started in the same tick: what those queries cost with no
 * product around them. Its schema (`bare-gateway.graphql`) is the subset of `schema.graphql` they touch.
 *
 * `BARE_UPSTREAM_URL=<Klarna origin> node --import tsx bench/bare-gateway.ts` (the benchmark starts it).
 * Callers bring their Klarna credentials (`Authorization: Basic ...`), which are sent on.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parse } from 'csv-parse';
import DataLoader from 'dataloader';
import { getArgumentValues, getNamedType, Kind, type FieldNode, type GraphQLEnumType, type GraphQLObjectType, type GraphQLResolveInfo as Info, type SelectionSetNode } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { Agent, request } from 'undici';
import { encodeCompact } from '../src/schema/compact-ids.ts';

const typeDefs = readFileSync(new URL('./bare-gateway.graphql', import.meta.url), 'utf8');

const upstream = process.env.BARE_UPSTREAM_URL;
if (!upstream) throw new Error("Set BARE_UPSTREAM_URL to the Klarna origin (the benchmark's fixed upstream).");
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

/** A Klarna JSON object, read by the resolvers below by its field names. */
type Json = Record<string, unknown>;
interface Pagination { first_item?: string | null; last_item?: string | null }
interface Context {
  authorization: string;
  metadata: string;
  /** GET by path, JSON parsed: each path read once per request, all asked in one tick sent together. */
  json: DataLoader<string, unknown>;
  /** The first rows of a settlement's CSV report, by `<settlement id> <how many>`. */
  reportRows: DataLoader<string, Json[]>;
}

const enc = encodeURIComponent;
// The gateway's compact global ids (`src/schema/compact-ids.ts`), else the old base64 of `Type:key`.
const gid = (type: string, id: string) => encodeCompact(type, id.split(' ')) ?? Buffer.from(`${type}:${id}`).toString('base64');
const cursorOf = (id: string) => Buffer.from(id).toString('base64url');
const scoped = (accountId: unknown, items: unknown) => ((items ?? []) as Json[]).map((item) => ({ ...item, accountId }));

/** GET on Klarna; a non-2xx answer is an error unless `okStatus` says otherwise. */
async function get(context: Context, path: string, headers: Record<string, string> = {}, okStatus = (status: number) => status < 300) {
  const response = await request(`${upstream}${path}`, {
    dispatcher: agent,
    headers: { authorization: context.authorization, 'klarna-integration-metadata': context.metadata, accept: 'application/json', ...headers },
  });
  if (okStatus(response.statusCode)) return response;
  await response.body.dump();
  throw new Error(`Klarna answered ${response.statusCode} to GET ${path}`);
}
const getJson = async (context: Context, path: string, headers?: Record<string, string>, okStatus?: (status: number) => boolean) =>
  (await (await get(context, path, headers, okStatus)).body.json()) as Json;

/** The first `take` rows of the report (line 3 is their heading), read as it streams; the download stops there. */
async function readReportRows(context: Context, settlementId: string, take: number) {
  const { body } = await get(context, `/v2/settlements/${enc(settlementId)}/csv`, { accept: 'text/csv' });
  const parser = body.pipe(parse({ relax_column_count: true, skip_empty_lines: true }));
  const rows: Json[] = [];
  let header: string[] = [];
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1;
      if (line === 3) header = record;
      else if (line > 3 && rows.push(Object.fromEntries(header.map((name, index) => [name, record[index] || null]))) === take) break;
    }
  } finally {
    body.destroy();
    parser.destroy();
  }
  return rows;
}

/** The fields selected under `nodes` (fragments merged), by name. */
function selected(info: Info, nodes: readonly FieldNode[]): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) fields.set(selection.name.value, [...(fields.get(selection.name.value) ?? []), selection]);
      else visit(selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet);
    }
  };
  nodes.forEach((node) => visit(node.selectionSet));
  return fields;
}
const under = (info: Info, nodes: readonly FieldNode[], ...path: string[]) => path.reduce((at, name) => selected(info, at).get(name) ?? [], nodes);
const firstArg = (info: Info, type: string, node: FieldNode) =>
  (getArgumentValues((info.schema.getType(type) as GraphQLObjectType).getFields()[node.name.value]!, node, info.variableValues).first as number | undefined) ?? 20;

const decisionsPath = (accountId: string, first = 20) => `/v2/accounts/${enc(accountId)}/compliance/decisions?size=${first}`;
const transactionsPath = (settlementId: string, first = 20) => `/v2/settlements/${enc(settlementId)}/transactions?size=${first}`;
const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined); // the field's own resolver reports it

/** The account fields an `expand` of the account read answers (as `src/schema/account-loading.ts`). */
const EXPANSIONS = { businessEntities: 'partner_busines_entities', brands: 'brands', paymentProducts: 'products', storeGroups: 'store_groups' };

/** One `GET /v2/accounts/{id}?expand=...` covering every sub-resource selected; the decisions start in the same tick. */
function loadAccount(context: Context, id: string, info: Info) {
  const fields = selected(info, info.fieldNodes);
  const expand = Object.entries(EXPANSIONS).flatMap(([field, expansion]) => (fields.has(field) ? [expansion] : []));
  if (under(info, fields.get('storeGroups') ?? [], 'edges', 'node', 'stores').length) expand.push('store_groups.stores');
  expand.sort();
  for (const node of fields.get('complianceDecisions') ?? []) quietly(context.json.load(decisionsPath(id, firstArg(info, 'Account', node))));
  return context.json.load(`/v2/accounts/${enc(id)}${expand.length ? `?expand=${expand.join(',')}` : ''}`);
}

/** The settlement with its payout, transaction page and report rows, all in the same tick. */
function loadSettlement(context: Context, id: string, info: Info) {
  const fields = selected(info, info.fieldNodes);
  const settlement = context.json.load(`/v2/settlements/${enc(id)}`);
  if (fields.has('payout')) quietly(context.json.load(`/v2/settlements/${enc(id)}/payouts/status`));
  for (const node of fields.get('transactions') ?? []) quietly(context.json.load(transactionsPath(id, firstArg(info, 'Settlement', node))));
  for (const node of under(info, fields.get('report') ?? [], 'rows')) quietly(context.reportRows.load(`${id} ${firstArg(info, 'SettlementReport', node)}`));
  return settlement;
}

/** A connection's first page over a list in memory (an expanded account's), cursors as `src/schema/connections.ts`. */
function firstPage(items: Json[], first: number | undefined, idKey: string) {
  const edges = items.slice(0, first ?? 20).map((node) => ({ cursor: cursorOf(String(node[idKey])), node }));
  return { edges, pageInfo: { hasNextPage: edges.length < items.length, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** A first page of settlement transactions with position cursors, as `src/schema/settlement-transactions.ts`. */
function transactionPage({ transactions, pagination }: { transactions: Json[]; pagination: Pagination }) {
  const position = (a: string | null, s: number, b?: string | null) => Buffer.from(JSON.stringify({ a, s, ...(b === undefined ? {} : { b }) })).toString('base64url');
  const first = pagination.first_item ?? null;
  const edges = transactions.map((node, index) => ({ node, cursor: position(null, index + 1, index === 0 ? first : undefined) }));
  if (edges.length && pagination.last_item != null) edges.at(-1)!.cursor = position(pagination.last_item, 0, edges.length === 1 ? first : undefined);
  return { edges, pageInfo: { hasNextPage: pagination.last_item != null, endCursor: edges.at(-1)?.cursor ?? null } };
}

// Field resolvers over Klarna's JSON: a field under another name, a Relay global id, an open enum.
const from = (key: string) => (parent: Json) => parent[key] ?? null;
const id = (type: string, ...keys: string[]) => (parent: Json) => gid(type, keys.map((key) => parent[key]).join(' '));
/** Klarna's enums are open: a value the schema does not list is `UNKNOWN`; a `nullable` field answers null for none. */
const openEnum = (key: string, nullable = false) => (parent: Json, _args: unknown, _context: unknown, info: Info) => {
  const raw = parent[key];
  if (nullable && !raw) return null;
  return typeof raw === 'string' && (getNamedType(info.returnType) as GraphQLEnumType).getValue(raw) ? raw : 'UNKNOWN';
};
type First = { first?: number };

const resolvers = {
  Query: {
    account: (_: unknown, args: { id: string }, context: Context, info: Info) => loadAccount(context, args.id, info),
    accounts: (_: unknown, args: { ids: string[] }, context: Context, info: Info) => args.ids.map((each) => loadAccount(context, each, info)),
    settlement: (_: unknown, args: { id: string }, context: Context, info: Info) => loadSettlement(context, args.id, info),
    cardOrder: (_: unknown, args: { orderId: string }) => ({ orderId: args.orderId }),
  },
  Account: {
    id: id('Account', 'partner_account_id'),
    name: from('partner_account_name'),
    reference: from('partner_account_reference'),
    state: openEnum('state'),
    stateReason: openEnum('state_reason'),
    contact: ({ partner_account_contact: c }: { partner_account_contact?: Json }) => c && { email: c.email, givenName: c.given_name ?? null, familyName: c.family_name ?? null, phone: c.phone ?? null },
    businessEntities: (a: Json, { first }: First) => firstPage(scoped(a.partner_account_id, a.partner_business_entities), first, 'partner_business_entity_id'),
    brands: (a: Json, { first }: First) => firstPage(scoped(a.partner_account_id, a.brands), first, 'brand_id'),
    storeGroups: (a: Json, { first }: First) => firstPage(scoped(a.partner_account_id, a.store_groups), first, 'store_group_id'),
    paymentProducts: (a: Json) => scoped(a.partner_account_id, a.products),
    complianceDecisions: async (a: Json, { first }: First, context: Context) => {
      const { decisions, pagination } = (await context.json.load(decisionsPath(String(a.partner_account_id), first))) as { decisions: Json[]; pagination: Pagination };
      return { edges: decisions.map((node) => ({ cursor: cursorOf(String(node.decision_id)), node })), pageInfo: { hasNextPage: pagination.last_item != null } };
    },
  },
  BusinessEntity: { id: id('BusinessEntity', 'accountId', 'partner_business_entity_id'), legalName: from('legal_registered_entity_name'), country: from('legal_registration_country') },
  Brand: { id: id('Brand', 'accountId', 'brand_id'), displayName: from('display_name') },
  StoreGroup: { id: id('StoreGroup', 'accountId', 'store_group_id'), reference: from('store_group_reference'), stores: (g: Json, { first }: First) => firstPage(scoped(g.accountId, g.stores), first, 'store_id') },
  Store: { id: id('Store', 'accountId', 'store_id'), url: from('url'), type: openEnum('type') },
  PaymentProduct: {
    id: id('PaymentProduct', 'accountId', 'product_id'), state: openEnum('state'), stateReason: openEnum('state_reason', true),
    paymentAccounts: (p: Json) => scoped(p.accountId, p.payment_accounts).map((account) => ({ ...account, productId: p.product_id })),
  },
  PaymentAccount: {
    id: id('PaymentAccount', 'accountId', 'productId', 'payment_account_id'), status: openEnum('status', true),
    reference: from('payment_account_reference'), defaultMerchantCategoryCode: from('default_merchant_category_code'),
  },
  ComplianceDecision: { id: id('ComplianceDecision', 'partner_account_id', 'decision_id'), type: openEnum('decision_type'), createdAt: from('created_at') },
  Settlement: {
    id: id('Settlement', 'settlement_id'), periodFrom: from('period_from'), periodTo: from('period_to'),
    payout: (s: Json, _: unknown, context: Context) => context.json.load(`/v2/settlements/${enc(String(s.settlement_id))}/payouts/status`),
    transactions: async (s: Json, { first }: First, context: Context) =>
      transactionPage((await context.json.load(transactionsPath(String(s.settlement_id), first))) as { transactions: Json[]; pagination: Pagination }),
    report: (s: Json) => ({ settlementId: s.settlement_id }),
  },
  Payout: { status: openEnum('status'), paidOutAt: from('paid_out_at') },
  SettlementTransaction: { type: openEnum('type'), detailedType: openEnum('detailed_type'), createdAt: from('created_at') },
  SettlementReport: {
    rows: async (r: { settlementId: string }, { first }: First, context: Context) => ({ edges: (await context.reportRows.load(`${r.settlementId} ${first ?? 20}`)).map((node) => ({ node })) }),
  },
  CardOrder: {
    settlement: async (o: { orderId: string }, { keyId }: { keyId: string }, context: Context) =>
      ({ ...(await getJson(context, `/merchantcard/v3/settlements/order/${enc(o.orderId)}`, { keyid: keyId })), keyId }),
    // Klarna answers 400 NO_REQUEST_FOUND (that status in the body) when no cancellation was asked for.
    cancellation: (o: { orderId: string }, _: unknown, context: Context) =>
      getJson(context, `/merchantcard/v3/orders/${enc(o.orderId)}/cancel-request`, {}, (status) => status < 300 || status === 400),
  },
  CardSettlement: { id: id('CardSettlement', 'settlement_id', 'keyId'), expiresAt: from('expires_at') },
  VirtualCard: { reference: from('reference'), brand: from('brand') },
  OrderCancellation: { status: openEnum('status') },
};

const yoga = createYoga<object, Context>({
  schema: createSchema<Context>({ typeDefs, resolvers }),
  logging: false,
  landingPage: false,
  graphiql: false,
  context: ({ request: incoming }) => {
    const context = {
      authorization: incoming.headers.get('authorization') ?? '',
      metadata: JSON.stringify({ integrator: { name: 'BARE_GATEWAY', session_reference: randomUUID() } }),
    } as Context;
    const each = <K, V>(load: (key: K) => Promise<V>) => (keys: readonly K[]) => Promise.all(keys.map((key) => load(key).catch((error: Error) => error)));
    context.json = new DataLoader(each((path: string) => getJson(context, path)));
    context.reportRows = new DataLoader(each((key: string) => readReportRows(context, key.split(' ')[0]!, Number(key.split(' ')[1]))));
    return context;
  },
});

const server = createServer(yoga);
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`Bare gateway: http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));

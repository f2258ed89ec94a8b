/**
 * The example operations GraphiQL opens with (and the README, the tests and the benchmarks run): they
 * use the sandbox's docs-sample identifiers as variable defaults, so each runs as written.
 */
import { parse, print } from 'graphql';

export const DASHBOARD_QUERY = `query Dashboard($id: ID! = "krn:partner:global:account:live:LWT2XJSE") {
  account(id: $id) {
    id name reference state stateReason
    contact { email givenName familyName phone }
    businessEntities(first: 10) { edges { node { id legalName country } } pageInfo { hasNextPage endCursor } }
    brands(first: 10) { edges { node { id displayName } } }
    storeGroups(first: 10) { edges { node { id reference stores(first: 50) { edges { node { id url type } } } } } }
    paymentProducts { id state stateReason paymentAccounts { id status reference defaultMerchantCategoryCode } }
    complianceDecisions(first: 5) { edges { node { id type createdAt } } }
  }
}`;

export const SETTLEMENT_QUERY = `query Settlement($id: ID! = "krn:partner:eu1:settlement:live:113574395") {
  settlement(id: $id) {
    id currency periodFrom periodTo
    payout { status paidOutAt }
    transactions(first: 20) { edges { cursor node { type detailedType createdAt } } pageInfo { hasNextPage endCursor } }
    report { rows(first: 5) { edges { node { type detailedType } } } }
  }
}`;

export const CARD_QUERY = `query Card($orderId: ID! = "f3392f8b-6116-4073-ab96-e330819e2c07", $keyId: String! = "16e4b85e-899b-4427-a39f-07a496e9515b") {
  cardOrder(orderId: $orderId) { orderId settlement(keyId: $keyId) { id expiresAt cards { reference amount currency brand } } cancellation { status } }
}`;

export const PORTFOLIO_QUERY = `query Portfolio($ids: [ID!]!) {
  accounts(ids: $ids) { id name state paymentProducts { state } }
}`;

export const ONBOARD_MUTATION = `mutation Onboard($input: OnboardMerchantInput!) {
  onboardMerchant(input: $input) {
    __typename
    ... on OnboardMerchantPayload { account { id klarnaId name state stateReason } }
    ... on ValidationError { message problems { path message } }
    ... on UserError { code message }
  }
}`;

/** Variables for `ONBOARD_MUTATION` that the sandbox accepts (the docs' payment profile and acquiring account). */
export const ONBOARD_VARIABLES = {
  input: {
    reference: 'M-GRAPHIQL-001',
    name: 'Nordic Coffee Roasters',
    contact: { email: 'owner@nordic-coffee.example', givenName: 'Ada', familyName: 'Lind', phone: '+46701234567' },
    businessEntities: [{ reference: 'entity-1', legalName: 'Nordic Coffee Roasters AB', country: 'SE', merchantCategoryCodes: ['5499'] }],
    paymentProduct: {
      paymentProfileId: 'krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58',
      paymentAccounts: [
        {
          acquiringAccountId: 'krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b',
          reference: 'pa-nordic-coffee-1',
          businessEntityReference: 'entity-1',
          defaultStoreGroupReference: 'web-shops',
          defaultMerchantCategoryCode: '5499',
        },
      ],
    },
    brands: [{ reference: 'brand-1', displayName: 'Nordic Coffee', logoUrl: 'https://nordic-coffee.example/logo.png' }],
    storeGroups: [
      {
        reference: 'web-shops',
        brandReference: 'brand-1',
        supportContact: { email: 'help@nordic-coffee.example' },
        stores: [{ reference: 'web-se', type: 'WEBSITE', url: 'https://nordic-coffee.example' }],
      },
    ],
  },
};

export const ACCOUNT_EVENTS_SUBSCRIPTION = `subscription AccountEvents($accountId: ID! = "krn:partner:global:account:live:LWT2XJSE") {
  accountEvents(accountId: $accountId) {
    id type occurredAt
    ... on PaymentProductStateChangedEvent { product { state stateReason } }
  }
}`;

export const DISABLE_PRODUCT_MUTATION = `mutation DisableProduct($accountId: ID! = "krn:partner:global:account:live:LWT2XJSE") {
  disablePaymentProduct(input: { accountId: $accountId, reason: VOLUNTARY, reasonDetails: "Seasonal pause" }) {
    __typename
    ... on PaymentProductStatePayload { paymentProduct { state stateReason } account { name } }
    ... on UserError { code message }
  }
}`;

/** An operation as GraphiQL shows it: one field per line, indented (`print` of its document). */
const pretty = (operation: string): string => print(parse(operation));

/** GraphiQL's tabs, one operation each so the play button runs it at once; Dashboard opens first. */
export const GRAPHIQL_TABS = [
  { query: pretty(DASHBOARD_QUERY) },
  { query: pretty(SETTLEMENT_QUERY) },
  { query: pretty(CARD_QUERY) },
  { query: pretty(PORTFOLIO_QUERY), variables: JSON.stringify({ ids: ['krn:partner:global:account:live:LWT2XJSE'] }, null, 2) },
  { query: pretty(ONBOARD_MUTATION), variables: JSON.stringify(ONBOARD_VARIABLES, null, 2) },
  { query: pretty(ACCOUNT_EVENTS_SUBSCRIPTION) },
  { query: pretty(DISABLE_PRODUCT_MUTATION) },
];

/**
 * Partner accounts, the root of the graph: `account(id)`, `accounts(ids)`, everything under an account
 * and `updateAccount`. How an account is read at the fewest calls is `account-loading.ts`.
 */
import { z } from 'zod';
import type { Page, PartnerAccount } from '../datasources/partner-management.ts';
import { BadUserInputError } from '../errors.ts';
import type { AccountPageKey } from '../loaders/index.ts';
import { loadAccount, MAX_ACCOUNTS_PER_QUERY } from './account-loading.ts';
import { BrandRef } from './brands.ts';
import { builder } from './builder.ts';
import { BusinessEntityRef } from './business-entities.ts';
import { ComplianceDecisionRef } from './compliance.ts';
import { connectionFromArray, connectionFromPage, pageRequestFrom } from './connections.ts';
import { nodeKeyParts } from './global-ids.ts';
import { ID_RULES, assertId } from './ids.ts';
import { ContactInput, contactSchema } from './inputs.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { openEnum } from './open-enum.ts';
import { PaymentProductRef } from './payment-products.ts';
import type { ConnectionArguments } from './plan/window.ts';
import { scopeAll } from './scoped.ts';
import { StoreGroupRef, StoreRef } from './stores.ts';
import { idempotencyKey, keyFor, krn, parseInput, reference } from './validation.ts';

export const AccountRef = builder.objectRef<PartnerAccount>('Account');

export const AccountState = openEnum('AccountState', 'Lifecycle state of a partner account.', {
  PARTIALLY_OPERATIONAL: 'Just onboarded or being updated: can transact, cannot be managed yet.',
  OPERATIONAL: 'Fully set up.',
  DISABLED: 'Disabled by Klarna; all products are disabled.',
});

export const AccountStateReason = openEnum('AccountStateReason', 'Why the account is in its state.', {
  INITIAL_SETUP: 'Onboarding is being completed.',
  SETUP_COMPLETE: 'Set-up is complete.',
  ACCOUNT_UPDATE: 'An update is being applied.',
  DISABLED_BY_KLARNA: 'Klarna disabled the account.',
  COMPLIANCE_DECISION: 'A compliance decision changed the account.',
  OTHER: 'Another reason.',
});

/**
 * An account's sub-resource list as a connection: from the account itself when it was read with that
 * expansion (no call, and no promise: answered at once), otherwise one page of Klarna's list call (both
 * page with the same cursors). The page loader is asked for only when needed: a request makes a loader
 * on first use, and an answer from the expansion needs none.
 */
function subResources<T extends object>(
  account: PartnerAccount,
  args: ConnectionArguments,
  embedded: readonly T[] | undefined,
  pages: () => { load(key: AccountPageKey): Promise<Page<T>> },
  idOf: (item: T) => string,
) {
  const request = pageRequestFrom(args);
  const accountId = account.partner_account_id;
  if (embedded) return connectionFromArray(scopeAll(accountId, embedded), request, idOf);
  return pages().load({ accountId, page: request }).then((page) => connectionFromPage({ ...page, items: scopeAll(accountId, page.items) }, idOf));
}

type Contact = NonNullable<PartnerAccount['partner_account_contact']>;
const contactOf = (c: Contact | undefined) => (c ? { email: c.email, givenName: c.given_name ?? null, familyName: c.family_name ?? null, phone: c.phone ?? null } : null);

const ContactRef = builder.simpleObject('AccountContact', {
  description: "The account owner's contact details.",
  fields: (t) => ({
    email: t.string({ description: 'E-mail address.' }),
    givenName: t.string({ nullable: true, description: 'Given name.' }),
    familyName: t.string({ nullable: true, description: 'Family name.' }),
    phone: t.string({ nullable: true, description: 'Phone number (E.164).' }),
  }),
});

builder.node(AccountRef, {
  description: 'A merchant (partner account) at Klarna, with its entities, brands, stores and payment product.',
  id: { resolve: (account) => account.partner_account_id },
  loadOne: (key, context) => context.loaders.account.load(nodeKeyParts('Account', key)[0]!),
  fields: (t) => ({
    klarnaId: t.exposeString('partner_account_id', { description: "Klarna's identifier (KRN) of the account, as `account(id:)` takes it." }),
    name: t.exposeString('partner_account_name', { description: 'Business name.' }),
    reference: t.exposeString('partner_account_reference', { description: "The partner's own reference for the merchant." }),
    state: t.field({ type: AccountState.ref, description: 'Lifecycle state.', resolve: (a) => AccountState.from(a.state) }),
    stateRaw: t.exposeString('state', { description: 'State as Klarna sent it.' }),
    stateReason: t.field({ type: AccountStateReason.ref, description: 'Why it is in its state.', resolve: (a) => AccountStateReason.from(a.state_reason) }),
    stateReasonRaw: t.exposeString('state_reason', { description: 'Reason as Klarna sent it.' }),
    contact: t.field({
      type: ContactRef,
      nullable: true,
      description: "The account owner's contact details.",
      // Write answers (onboarding) may leave the contact out: then it is read.
      resolve: (account, _args, context) =>
        account.partner_account_contact
          ? contactOf(account.partner_account_contact)
          : context.loaders.account.load(account.partner_account_id).then((read) => contactOf(read.partner_account_contact)),
    }),
    businessEntities: t.connection({
      type: BusinessEntityRef,
      nullable: true,
      description: 'Legal entities of the account.',
      resolve: (account, args, context) =>
        subResources(account, args, account.partner_business_entities, () => context.loaders.businessEntityPage, (e) => e.partner_business_entity_id),
    }),
    brands: t.connection({
      type: BrandRef,
      nullable: true,
      description: 'Brands of the account.',
      resolve: (account, args, context) => subResources(account, args, account.brands, () => context.loaders.brandPage, (b) => b.brand_id),
    }),
    storeGroups: t.connection({
      type: StoreGroupRef,
      nullable: true,
      description: 'Store groups of the account, each with its stores.',
      resolve: (account, args, context) => subResources(account, args, account.store_groups, () => context.loaders.storeGroupPage, (g) => g.store_group_id),
    }),
    stores: t.connection({
      type: StoreRef,
      nullable: true,
      description: 'Every store of the account, across its store groups.',
      resolve: (account, args, context) => subResources(account, args, undefined, () => context.loaders.storePage, (s) => s.store_id),
    }),
    paymentProducts: t.field({
      type: [PaymentProductRef],
      nullable: true,
      description: 'The payment product (r6 accounts have one) with its payment accounts.',
      resolve: (account, _args, context) => {
        const accountId = account.partner_account_id;
        if (account.products) return scopeAll(accountId, account.products);
        return context.loaders.paymentProducts.load(accountId).then((products) => scopeAll(accountId, products));
      },
    }),
    complianceDecisions: t.connection({
      type: ComplianceDecisionRef,
      nullable: true,
      description: "Klarna's compliance decisions about the account, newest first.",
      resolve: async (account, args, context) => {
        const page = await context.loaders.complianceDecisionPage.load({ accountId: account.partner_account_id, page: pageRequestFrom(args) });
        return connectionFromPage(page, (d) => d.decision_id);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  account: t.field({
    type: AccountRef,
    nullable: true,
    description: 'A partner account by its Klarna id (KRN). Null with a NOT_FOUND error when it does not exist or is not yours.',
    args: { id: t.arg.id({ required: true, description: 'The account KRN, e.g. krn:partner:global:account:live:LWT2XJSE.' }) },
    resolve: (_root, { id }, context, info) => {
      assertId(ID_RULES.account, String(id), 'id');
      return loadAccount(context, String(id), info);
    },
  }),
  accounts: t.field({
    type: [AccountRef],
    nullable: { list: false, items: true },
    description: `Several accounts by Klarna id (at most ${MAX_ACCOUNTS_PER_QUERY}), in order, read in parallel; null (with an error) where one cannot be read.`,
    args: { ids: t.arg.idList({ required: true, description: 'Account KRNs.' }) },
    resolve: (_root, { ids }, context, info) => {
      if (ids.length > MAX_ACCOUNTS_PER_QUERY) {
        throw new BadUserInputError(`Ask for at most ${MAX_ACCOUNTS_PER_QUERY} accounts at once (got ${ids.length}).`, [
          { path: 'ids', message: `has more than ${MAX_ACCOUNTS_PER_QUERY} items` },
        ]);
      }
      ids.forEach((id, index) => assertId(ID_RULES.account, String(id), `ids.${index}`));
      return ids.map((id) => loadAccount(context, String(id), info));
    },
  }),
}));

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  description: "An account's name, reference or contact; only the fields given change. A new contact is applied asynchronously (PARTIALLY_OPERATIONAL until done).",
  fields: (t) => ({
    idempotencyKey: t.string({ description: 'Your key for this write; a retry with the same key is applied once. Generated when absent.' }),
    accountId: t.id({ required: true, description: 'The account (KRN).' }),
    name: t.string({ description: 'New business name.' }),
    reference: t.string({ description: 'New reference.' }),
    contact: t.field({ type: ContactInput, description: "New owner's contact details." }),
  }),
});
const updateAccountSchema = z
  .object({ idempotencyKey: idempotencyKey.nullish(), accountId: krn, name: reference.nullish(), reference: reference.nullish(), contact: contactSchema.nullish() })
  .refine((input) => input.name || input.reference || input.contact, { message: 'give name, reference or contact', path: ['name'] });

const UpdateAccountPayload = builder.simpleObject('UpdateAccountPayload', {
  description: 'The account as Klarna now has it.',
  fields: (t) => ({ account: t.field({ type: AccountRef, description: 'The updated account.' }) }),
});

builder.mutationField('updateAccount', (t) =>
  t.field({
    type: UpdateAccountPayload,
    description: "Changes an account's name, reference or contact.",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: UpdateAccountInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, args, context) => {
      const { accountId, ...input } = parseInput(updateAccountSchema, args.input);
      const account = await context.pm.updateAccount(accountId, input, keyFor(input));
      context.refreshLoaders();
      return { account };
    },
  }),
);

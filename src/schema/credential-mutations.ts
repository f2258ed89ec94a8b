/**
 * Credential writes: API keys and client identifiers (create, rename, disable) and client certificate
 * revocation. A new API key's secret is answered once, here, and nowhere else (never logged, never
 * cached: every GraphQL response carries `Cache-Control: no-store`).
 */
import { z } from 'zod';
import type { Credential } from '../datasources/partner-management.ts';
import { writeFailure } from '../datasources/rest-client.ts';
import { BadUserInputError } from '../errors.ts';
import { builder } from './builder.ts';
import { CredentialRef } from './credentials.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { credentialId, dateTime, description, idempotencyKey, keyFor, parseInput } from './validation.ts';

const KEY = 'Your key for this write; a retry with the same key is applied once. Generated when absent.';

const CreateInput = builder.inputType('CreateCredentialInput', {
  description: 'A new API key or client identifier.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    description: t.string({ description: 'What it is for (up to 100 letters, digits, spaces and - : ; . , _).' }),
  }),
});
const UpdateInput = builder.inputType('UpdateCredentialInput', {
  description: "A credential's new description.",
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    credentialId: t.id({ required: true, description: 'The credential id.' }),
    description: t.string({ required: true, description: 'What it is for (up to 100 letters, digits, spaces and - : ; . , _).' }),
  }),
});
const DisableInput = builder.inputType('DisableCredentialInput', {
  description: 'The credential to disable for good.',
  fields: (t) => ({ idempotencyKey: t.string({ description: KEY }), credentialId: t.id({ required: true, description: 'The credential id.' }) }),
});
const RevokeInput = builder.inputType('RevokeClientCertificateInput', {
  description: 'The client certificate to revoke, and from when.',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    credentialId: t.id({ required: true, description: 'The client certificate id.' }),
    revokedFrom: t.field({ type: 'DateTime', required: true, description: 'From when it stops working (now or later).' }),
  }),
});

const createSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), description: description.nullish() });
const updateSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), credentialId, description });
const disableSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), credentialId });
const revokeSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), credentialId, revokedFrom: dateTime });

const CreateApiKeyPayload = builder.objectRef<Credential>('CreateApiKeyPayload').implement({
  description: 'The new API key and its secret, shown this once: store it now, Klarna never shows it again.',
  fields: (t) => ({
    credential: t.field({ type: CredentialRef, description: 'The new API key.', resolve: (c) => c }),
    secret: t.string({ description: 'The API key secret, to send as Basic credentials. Shown once.', resolve: (c) => c.secret?.secret ?? '' }),
  }),
});
const CredentialPayload = builder.simpleObject('CredentialPayload', {
  description: 'The credential as Klarna now has it.',
  fields: (t) => ({ credential: t.field({ type: CredentialRef, description: 'The credential.' }) }),
});

/** Refuses a credential id of the wrong kind before any call (an API key where a client id is expected). */
function assertKind(id: string, kind: 'api' | 'client' | 'client_cert', path = 'input.credentialId'): void {
  if (!id.includes(`:credential:${kind}:`)) throw new BadUserInputError(`\`${path}\` is not a ${kind.replace('_', ' ')} credential id.`, [{ path, message: `is not a ${kind} credential id` }]);
}

function credentialMutations(kind: 'api' | 'client', noun: string, collection: 'api-key' | 'client-identifier') {
  const Name = noun === 'ApiKey' ? 'API key' : 'client identifier';
  return builder.mutationFields((t) => ({
    [`update${noun}`]: t.field({
      type: CredentialPayload,
      description: `Changes the description of a ${Name}.`,
      errors: { types: MUTATION_ERRORS },
      args: { input: t.arg({ type: UpdateInput, required: true, description: 'The credential and its description.' }) },
      resolve: async (_root, args, context) => {
        const input = parseInput(updateSchema, args.input);
        assertKind(input.credentialId, kind);
        const credential = await context.pm.updateCredential(input.credentialId, input.description, keyFor(input));
        context.refreshLoaders();
        return { credential };
      },
    }),
    [`disable${noun}`]: t.field({
      type: CredentialPayload,
      description: `Disables a ${Name} for good.`,
      errors: { types: MUTATION_ERRORS },
      args: { input: t.arg({ type: DisableInput, required: true, description: 'The credential.' }) },
      resolve: async (_root, args, context) => {
        const input = parseInput(disableSchema, args.input);
        assertKind(input.credentialId, kind);
        const key = keyFor(input);
        await context.pm.disableCredential(input.credentialId, key);
        context.refreshLoaders();
        // Disabled, but the answer could not be read: the caller sends it again with the key to get it.
        const credential = await context.loaders.credential.load(input.credentialId).catch((error: unknown) => {
          throw writeFailure(error, key);
        });
        return { credential };
      },
    }),
    ...(collection === 'client-identifier'
      ? {
          createClientIdentifier: t.field({
            type: CredentialPayload,
            description: 'Creates a client identifier (for browsers and apps).',
            errors: { types: MUTATION_ERRORS },
            args: { input: t.arg({ type: CreateInput, required: true, description: 'Its description.' }) },
            resolve: async (_root, args, context) => {
              const input = parseInput(createSchema, args.input);
              const credential = await context.pm.createCredential('client-identifier', input.description ?? undefined, keyFor(input));
              context.refreshLoaders();
              return { credential };
            },
          }),
        }
      : {}),
  }));
}

credentialMutations('api', 'ApiKey', 'api-key');
credentialMutations('client', 'ClientIdentifier', 'client-identifier');

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description: 'Creates an API key; its secret is answered once, in this payload.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: CreateInput, required: true, description: 'Its description.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(createSchema, args.input);
      const credential = await context.pm.createCredential('api-key', input.description ?? undefined, keyFor(input));
      context.refreshLoaders();
      return credential;
    },
  }),
  revokeClientCertificate: t.field({
    type: CredentialPayload,
    description: 'Revokes a client certificate from a point in time.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: RevokeInput, required: true, description: 'The certificate and when.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(revokeSchema, args.input);
      assertKind(input.credentialId, 'client_cert');
      const credential = await context.pm.revokeClientCertificate(input.credentialId, input.revokedFrom, keyFor(input));
      context.refreshLoaders();
      return { credential };
    },
  }),
}));

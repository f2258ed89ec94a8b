/** Integration credentials of the calling partner: API keys and client identifiers (never their secrets). */
import type { Credential } from '../datasources/partner-management.ts';
import { builder } from './builder.ts';
import { nodeKeyParts } from './global-ids.ts';
import { ID_RULES, assertId } from './ids.ts';
import { openEnum } from './open-enum.ts';

export const CredentialRef = builder.objectRef<Credential>('Credential');

const CredentialType = openEnum('CredentialType', 'Kind of credential.', {
  API: 'An API key (server to server).',
  CLIENT: 'A client identifier (used in browsers and apps).',
  CLIENT_CERT: 'A client certificate (mTLS).',
});
const CredentialStatus = openEnum('CredentialStatus', 'Whether the credential works.', { ENABLED: 'It works.', DISABLED: 'It no longer works.' });
const Environment = openEnum('CredentialEnvironment', 'Where the credential works.', { LIVE: 'Production.', TEST: 'Klarna test environment.' });

builder.node(CredentialRef, {
  description: 'An API key, client identifier or client certificate of the calling partner. Secrets are only ever shown once, when created.',
  id: { resolve: (credential) => credential.credential_id },
  loadOne: (key, context) => context.loaders.credential.load(nodeKeyParts('Credential', key)[0]!),
  fields: (t) => ({
    klarnaId: t.exposeString('credential_id', { description: "Klarna's identifier of the credential." }),
    description: t.string({ nullable: true, description: 'What the partner wrote about it.', resolve: (c) => c.description ?? null }),
    type: t.field({ type: CredentialType.ref, description: 'Kind of credential.', resolve: (c) => CredentialType.from(c.type) }),
    status: t.field({ type: CredentialStatus.ref, description: 'Whether it works.', resolve: (c) => CredentialStatus.from(c.status) }),
    environment: t.field({ type: Environment.ref, description: 'Where it works.', resolve: (c) => Environment.from(c.environment.toUpperCase()) }),
    clientId: t.string({ nullable: true, description: 'The public client id of a client identifier.', resolve: (c) => c.identity?.client_id ?? null }),
    certificateSubject: t.string({ nullable: true, description: 'Subject of a client certificate.', resolve: (c) => c.identity?.subject ?? null }),
    certificateNotAfter: t.field({ type: 'DateTime', nullable: true, description: 'When a client certificate expires.', resolve: (c) => c.identity?.not_after ?? null }),
    revokedFrom: t.field({ type: 'DateTime', nullable: true, description: 'From when a client certificate is revoked.', resolve: (c) => c.config?.revoked_from ?? null }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: [CredentialRef],
    description: "The calling partner's API keys (without secrets).",
    resolve: (_root, _args, context) => context.loaders.credentials.load('api-key'),
  }),
  clientIdentifiers: t.field({
    type: [CredentialRef],
    description: "The calling partner's client identifiers.",
    resolve: (_root, _args, context) => context.loaders.credentials.load('client-identifier'),
  }),
  credential: t.field({
    type: CredentialRef,
    nullable: true,
    description: 'An API key or client identifier by its Klarna id.',
    args: { id: t.arg.id({ required: true, description: 'The credential id, e.g. krn:partner:global:live:credential:api:<uuid>.' }) },
    resolve: (_root, { id }, context) => {
      assertId(ID_RULES.credential, String(id), 'id');
      return context.loaders.credential.load(String(id));
    },
  }),
}));

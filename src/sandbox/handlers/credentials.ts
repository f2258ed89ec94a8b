/**
 * The caller's own integration credentials: API keys, client identifiers and the revocation of client
 * certificates (r6 has no certificate creation; the seed provides them).
 *
 * A new API key's secret is shown once, in the create response, and authenticates as the same partner
 * from then on; disabling the key (DELETE) stops that at once. Credentials belong to the partner that
 * created them: another partner gets 404, as for an unknown id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { notFound } from '../errors.ts';
import { json, type HandlerContext, type HandlerMap } from '../handler.ts';
import type { CredentialRecord, Pm } from '../state.ts';
import { pathParam } from './common.ts';

type CredentialType = Pm['Credential']['type'];

const KIND_OF: Record<string, string> = { API: 'api', CLIENT: 'client', CLIENT_CERT: 'client_cert' };
const LABEL_OF: Record<string, string> = { API: 'API key', CLIENT: 'Client identifier', CLIENT_CERT: 'Client certificate' };

/** The credential named in the path, when it is the caller's and of `type`. */
function ownedCredential(context: HandlerContext, type: CredentialType): CredentialRecord {
  const id = pathParam(context, 'credential_id');
  const record = context.state.credentials.get(id);
  if (!record || record.ownerId !== context.principal.id || record.credential.type !== type) {
    throw notFound(`${LABEL_OF[type] ?? 'Credential'} ${id}`);
  }
  return record;
}

/** A credential as list and read show it: never the secret. */
const publicView = (record: CredentialRecord): Pm['Credential'] => {
  const { secret: _secret, ...rest } = record.credential as Pm['Credential'] & { secret?: unknown };
  return rest as Pm['Credential'];
};

function create(context: HandlerContext, type: 'API' | 'CLIENT'): CredentialRecord {
  const environment = context.principal.environment;
  const env = environment.toLowerCase();
  const id = `krn:partner:global:${env}:credential:${KIND_OF[type]}:${randomUUID()}`;
  const { description } = (context.request.body ?? {}) as { description?: string };
  const credential = {
    credential_id: id,
    ...(description !== undefined ? { description } : {}),
    type,
    environment,
    status: 'ENABLED',
  } as Pm['Credential'];
  const record: CredentialRecord = { ownerId: context.principal.id, credential };
  if (type === 'API') {
    record.secret = `klarna_${env}_api_${randomBytes(30).toString('base64url')}`;
    context.state.principalBySecret.set(record.secret, context.principal.id);
  } else {
    (credential as { identity?: unknown }).identity = { client_id: `klarna_${env}_client_${randomBytes(24).toString('base64url')}` };
  }
  context.state.credentials.set(id, record);
  context.applied(id);
  return record;
}

function list(context: HandlerContext, type: CredentialType) {
  const credentials = [...context.state.credentials.values()]
    .filter((record) => record.ownerId === context.principal.id && record.credential.type === type)
    .map(publicView);
  return json(200, { credentials });
}

function update(context: HandlerContext, type: CredentialType) {
  const record = ownedCredential(context, type);
  const { description } = (context.request.body ?? {}) as { description?: string };
  if (description !== undefined) record.credential.description = description;
  context.applied(record.credential.credential_id);
  return json(200, publicView(record));
}

/** DELETE deactivates: the credential stays listed as DISABLED, and a disabled API key no longer authenticates. */
function disable(context: HandlerContext, type: CredentialType) {
  const record = ownedCredential(context, type);
  if (record.credential.status !== 'DISABLED') {
    record.credential.status = 'DISABLED';
    if (record.secret) context.state.principalBySecret.delete(record.secret);
    context.applied(record.credential.credential_id);
  }
  return json(204);
}

export const credentialHandlers: HandlerMap = {
  createApiKey: (context) => {
    const record = create(context, 'API');
    return json(201, { ...record.credential, secret: { secret: record.secret } });
  },
  listApiKeys: (context) => list(context, 'API'),
  getApiKey: (context) => json(200, publicView(ownedCredential(context, 'API'))),
  updateApiKey: (context) => update(context, 'API'),
  disableApiKey: (context) => disable(context, 'API'),

  createClientIdentifier: (context) => json(201, publicView(create(context, 'CLIENT'))),
  listClientIdentifiers: (context) => list(context, 'CLIENT'),
  getClientIdentifier: (context) => json(200, publicView(ownedCredential(context, 'CLIENT'))),
  updateClientIdentifier: (context) => update(context, 'CLIENT'),
  disableClientIdentifier: (context) => disable(context, 'CLIENT'),

  /**
   * `revoked_from` now or in the past disables the certificate at once; a future instant keeps it
   * ENABLED (with `config.revoked_from`) until the sandbox clock reaches it.
   */
  revokeClientCertificate: (context) => {
    const record = ownedCredential(context, 'CLIENT_CERT');
    const { revoked_from: revokedFrom } = context.request.body as { revoked_from: string };
    const credential = record.credential as Pm['Credential'] & { config?: Record<string, unknown> };
    credential.config = { ...(credential.config ?? {}), revoked_from: revokedFrom };
    const atMs = Date.parse(revokedFrom);
    if (atMs <= context.clock.now()) {
      credential.status = 'DISABLED';
    } else {
      context.clock.schedule(atMs, () => {
        if ((credential.config as { revoked_from?: string } | undefined)?.revoked_from === revokedFrom) credential.status = 'DISABLED';
      });
    }
    context.applied(credential.credential_id);
    return json(200, publicView(record));
  },
};

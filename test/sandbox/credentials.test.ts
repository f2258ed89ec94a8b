/** The caller's own credentials: API keys, client identifiers and the revocation of client certificates. */
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/sandbox/index.ts';
import { admin, call, seg, useSandbox } from '../utils/sandbox.ts';

const API_KEYS = '/v2/account/integration/credentials/api-key';
const CLIENTS = '/v2/account/integration/credentials/client-identifier';
const CERTIFICATE = 'krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E';
const revoke = (id: string) => `/v2/account/integration/credentials/client-certificate/${seg(id)}/revoke`;

describe('API keys', () => {
  const context = useSandbox();
  const ledger = () => admin<unknown[]>(context.sandbox, 'GET', '/ledger');

  it('creates a key whose secret is shown once and authenticates as the same partner until it is disabled', async () => {
    const created = await call(context.sandbox, 'POST', API_KEYS, { body: { description: 'CI key: build 42' } });
    expect(created.status).toBe(201);
    const { credential_id: id, secret, environment } = created.body;
    expect(created.body).toMatchObject({ description: 'CI key: build 42', type: 'API', status: 'ENABLED' });
    expect(id).toMatch(new RegExp(`^krn:partner:global:${environment.toLowerCase()}:credential:api:`));
    expect(secret.secret).toMatch(new RegExp(`^klarna_${environment.toLowerCase()}_api_`));

    const asNewKey = await call(context.sandbox, 'GET', `${API_KEYS}/${seg(id)}`, { apiKey: secret.secret });
    expect(asNewKey.status).toBe(200);
    expect(asNewKey.body).toEqual({ credential_id: id, description: 'CI key: build 42', type: 'API', environment, status: 'ENABLED' });
    const listed = await call(context.sandbox, 'GET', API_KEYS);
    expect(listed.body.credentials).toContainEqual(asNewKey.body);
    for (const credential of listed.body.credentials) expect(credential).not.toHaveProperty('secret');

    const disabled = await call(context.sandbox, 'DELETE', `${API_KEYS}/${seg(id)}`);
    expect(disabled.status).toBe(204);
    expect(disabled.text).toBe('');
    expect((await call(context.sandbox, 'GET', `${API_KEYS}/${seg(id)}`)).body.status).toBe('DISABLED');
    const refused = await call(context.sandbox, 'GET', API_KEYS, { apiKey: secret.secret });
    expect(refused.status).toBe(401);
  });

  it('updates the description', async () => {
    const { body: created } = await call(context.sandbox, 'POST', API_KEYS, { body: { description: 'old' } });
    const updated = await call(context.sandbox, 'PATCH', `${API_KEYS}/${seg(created.credential_id)}`, { body: { description: 'new name' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ credential_id: created.credential_id, description: 'new name' });
    expect(updated.body).not.toHaveProperty('secret');
    expect((await call(context.sandbox, 'GET', `${API_KEYS}/${seg(created.credential_id)}`)).body.description).toBe('new name');
  });

  it('rejects a description outside the documented pattern, creating nothing', async () => {
    const before = await ledger();
    const count = (await call(context.sandbox, 'GET', API_KEYS)).body.credentials.length;
    const response = await call(context.sandbox, 'POST', API_KEYS, { body: { description: 'no <html> please' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_code: 'VALIDATION_ERROR', validation_errors: [expect.objectContaining({ parameter: 'body.description' })] });
    const tooLong = await call(context.sandbox, 'POST', API_KEYS, { body: { description: 'a'.repeat(101) } });
    expect(tooLong.status).toBe(400);
    expect(await ledger()).toEqual(before);
    expect((await call(context.sandbox, 'GET', API_KEYS)).body.credentials).toHaveLength(count);
  });

  it('rejects a credential id that does not match the pattern with 400, and answers unknown ones with 404', async () => {
    const malformed = await call(context.sandbox, 'GET', `${API_KEYS}/${seg('not-a-credential')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'path.credential_id' })]);
    const unknown = await call(context.sandbox, 'GET', `${API_KEYS}/${seg('krn:partner:global:test:credential:api:00000000-0000-4000-8000-000000000000')}`);
    expect(unknown.status).toBe(404);
  });

  it("answers another partner's key, or a client identifier on the API key path, with 404", async () => {
    const { body: created } = await call(context.sandbox, 'POST', API_KEYS, { body: { description: 'mine' } });
    const foreign = await call(context.sandbox, 'GET', `${API_KEYS}/${seg(created.credential_id)}`, { apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(foreign.status).toBe(404);
    const foreignDelete = await call(context.sandbox, 'DELETE', `${API_KEYS}/${seg(created.credential_id)}`, { apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(foreignDelete.status).toBe(404);
    expect((await call(context.sandbox, 'GET', `${API_KEYS}/${seg(created.credential_id)}`)).body.status).toBe('ENABLED');
    const { body: client } = await call(context.sandbox, 'POST', CLIENTS, { body: { description: 'client' } });
    expect((await call(context.sandbox, 'GET', `${API_KEYS}/${seg(client.credential_id)}`)).status).toBe(404);
  });
});

describe('client identifiers', () => {
  const context = useSandbox();

  it('creates, lists, reads, renames and disables a client identifier', async () => {
    const created = await call(context.sandbox, 'POST', CLIENTS, { body: { description: 'Checkout widget' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'CLIENT', status: 'ENABLED', description: 'Checkout widget' });
    expect(created.body.identity.client_id).toMatch(/^klarna_(live|test)_client_/);
    expect(created.body).not.toHaveProperty('secret');
    const id = created.body.credential_id as string;
    expect(id).toMatch(/^krn:partner:global:(live|test):credential:client:/);

    expect((await call(context.sandbox, 'GET', CLIENTS)).body.credentials).toContainEqual(created.body);
    expect((await call(context.sandbox, 'GET', `${CLIENTS}/${seg(id)}`)).body).toEqual(created.body);
    const renamed = await call(context.sandbox, 'PATCH', `${CLIENTS}/${seg(id)}`, { body: { description: 'Widget v2' } });
    expect(renamed.body).toEqual({ ...created.body, description: 'Widget v2' });
    expect((await call(context.sandbox, 'DELETE', `${CLIENTS}/${seg(id)}`)).status).toBe(204);
    expect((await call(context.sandbox, 'GET', `${CLIENTS}/${seg(id)}`)).body.status).toBe('DISABLED');
  });

  it('refuses requests without credentials or with an unknown key', async () => {
    expect((await call(context.sandbox, 'GET', CLIENTS, { apiKey: null })).status).toBe(401);
    expect((await call(context.sandbox, 'POST', CLIENTS, { body: {}, apiKey: 'klarna_test_api_unknown' })).status).toBe(401);
  });
});

describe('client certificate revocation', () => {
  const context = useSandbox();

  it('keeps a certificate revoked from a future instant ENABLED until the sandbox clock reaches it', async () => {
    const revokedFrom = new Date(context.sandbox.clock.now() + 60 * 60 * 1000).toISOString();
    const response = await call(context.sandbox, 'POST', revoke(CERTIFICATE), { body: { revoked_from: revokedFrom } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ credential_id: CERTIFICATE, type: 'CLIENT_CERT', status: 'ENABLED', config: { revoked_from: revokedFrom } });
    // r6 has no read operation for certificates, so the scheduled change is observed in the state.
    const stored = () => context.sandbox.state.credentials.get(CERTIFICATE)?.credential.status;
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 59 * 60 * 1000 });
    expect(stored()).toBe('ENABLED');
    await admin(context.sandbox, 'POST', '/clock/advance', { ms: 60 * 1000 });
    expect(stored()).toBe('DISABLED');
  });

  it('disables at once a certificate revoked from a past instant', async () => {
    const response = await call(context.sandbox, 'POST', revoke(CERTIFICATE), { body: { revoked_from: '2021-12-31T23:59:59Z' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'DISABLED', config: { revoked_from: '2021-12-31T23:59:59Z' } });
  });

  it('rejects a revoked_from that is not an ISO 8601 date-time, and a certificate of another partner', async () => {
    const bad = await call(context.sandbox, 'POST', revoke(CERTIFICATE), { body: { revoked_from: 'next tuesday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.validation_errors).toEqual([expect.objectContaining({ parameter: 'body.revoked_from' })]);
    const foreign = await call(context.sandbox, 'POST', revoke(CERTIFICATE), { body: { revoked_from: '2021-12-31T23:59:59Z' }, apiKey: DEMO_CREDENTIALS.otherApiKey });
    expect(foreign.status).toBe(404);
  });
});

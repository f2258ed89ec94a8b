/**
 * The credential samples of the reference, as credentials of the demo principal: two API keys (live and
 * test), two client identifiers (live and test) and the client certificate of the revoke sample, still
 * ENABLED until someone revokes it. An ENABLED API key authenticates as its owner, as at Klarna.
 */
import type { CredentialRecord, Pm, SandboxState } from '../state.ts';

export const DOCS_CREDENTIAL_IDS = {
  liveApiKey: 'krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5',
  testApiKey: 'krn:partner:global:test:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5',
  liveClient: 'krn:partner:global:live:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5',
  testClient: 'krn:partner:global:test:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5',
  clientCertificate: 'krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E',
} as const;

/** Secrets of the sample API keys (the reference never shows them; these are the sandbox's). */
export const DOCS_API_KEY_SECRETS = {
  live: 'klarna_live_api_TGl2ZVNhbXBsZUtleTEyMGU1YjdlZGVlODQzY2E',
  test: 'klarna_test_api_VGVzdFNhbXBsZUtleTEyMGU1YjdlZGVlODQzY2E',
} as const;

function credentials(): (CredentialRecord & { credential: Pm['Credential'] })[] {
  const record = (credential: Pm['Credential'], secret?: string) => ({ ownerId: '', credential, ...(secret ? { secret } : {}) });
  return [
    record(
      { credential_id: DOCS_CREDENTIAL_IDS.liveApiKey, description: 'Production API Credentials', type: 'API', environment: 'LIVE', status: 'ENABLED' },
      DOCS_API_KEY_SECRETS.live,
    ),
    record(
      { credential_id: DOCS_CREDENTIAL_IDS.testApiKey, description: 'Test API Credentials', type: 'API', environment: 'TEST', status: 'ENABLED' },
      DOCS_API_KEY_SECRETS.test,
    ),
    record({
      credential_id: DOCS_CREDENTIAL_IDS.liveClient,
      identity: { client_id: 'klarna_live_client_MTIwZTViN2UtZGVlOC00M2NhLTk4NTgtZGNhNzI2ZTYzOWI1' },
      status: 'ENABLED',
      description: 'Production Client Identifier',
      type: 'CLIENT',
      environment: 'LIVE',
    }),
    record({
      credential_id: DOCS_CREDENTIAL_IDS.testClient,
      identity: { client_id: 'klarna_test_client_MTIwZTViN2UtZGVlOC00M2NhLTk4NTgtZGNhNzI2ZTYzOWI1' },
      status: 'ENABLED',
      description: 'Test Client ID credential',
      type: 'CLIENT',
      environment: 'TEST',
    }),
    record({
      credential_id: DOCS_CREDENTIAL_IDS.clientCertificate,
      description: 'Live client certificate',
      type: 'CLIENT_CERT',
      environment: 'LIVE',
      identity: {
        subject: 'CN=api-client.merchant-abc.example, O=Merchant ABC US, C=US',
        serial_number: '2C8A1053F979D1E8C96A3A9357AE7D1E',
        fingerprint_sha256: '9f2b6c4e1a7d3f8b0c5e2a9d6f1b4c7e3a8d0f5b2c9e6a1d4f7b0c3e8a5d2f9b',
        not_before: '2024-01-01T00:00:00Z',
        not_after: '2026-01-01T00:00:00Z',
      },
      config: { usage: 'MTLS', revoked_from: null },
      status: 'ENABLED',
    }),
  ];
}

export function seedDocsCredentials(state: SandboxState, ownerId: string): void {
  for (const record of credentials()) {
    state.credentials.set(record.credential.credential_id, { ...record, ownerId });
    if (record.secret) state.principalBySecret.set(record.secret, ownerId);
  }
}

/**
 * The sandbox's initial world: two partners (the demo principal and another, for isolation), the docs'
 * samples, Klarna's reference data, a deterministic generated portfolio with its settlements, and the
 * card service's data. `seedState` must stay fast (it runs at every sandbox start): large settlements
 * only get their totals at boot, their lines on first use.
 */
import type { CredentialRecord, Principal, SandboxState } from '../state.ts';
import { seedCards } from './cards.ts';
import { seedDocsSamples } from './docs-samples.ts';
import { seedPortfolio } from './portfolio.ts';
import { seedPortfolioSettlements } from './portfolio-settlements.ts';
import { seedReferenceData } from './reference-data.ts';

export const DEMO_CREDENTIALS = {
  /** Basic credentials of the demo partner (owner of the docs' samples and the generated portfolio). */
  apiKey: 'klarna_test_api_c2FuZGJveC1kZW1vLXBhcnRuZXItN2YzYTljMmU1YjFk',
  principalId: 'krn:partner:global:account:test:SANDBOX1',
  /** A second partner, who must never see the demo partner's data (and vice versa). */
  otherApiKey: 'klarna_test_api_c2FuZGJveC1vdGhlci1wYXJ0bmVyLTRlOGQxYjZhMGM5Zg',
  otherPrincipalId: 'krn:partner:global:account:test:SANDBOX2',
  /** The card-encryption key enrolled for the demo partner: the Merchant Card Service docs' `key_id`. */
  keyId: '16e4b85e-899b-4427-a39f-07a496e9515b',
} as const;

const PRINCIPALS: { principal: Principal; apiKey: string; credentialId: string }[] = [
  {
    principal: { id: DEMO_CREDENTIALS.principalId, name: 'Sandbox Demo Acquirer', environment: 'TEST' },
    apiKey: DEMO_CREDENTIALS.apiKey,
    credentialId: 'krn:partner:global:test:credential:api:5b1c7a0e-3f2d-4e8a-9c61-2d7f0b9e4a13',
  },
  {
    principal: { id: DEMO_CREDENTIALS.otherPrincipalId, name: 'Sandbox Other Acquirer', environment: 'TEST' },
    apiKey: DEMO_CREDENTIALS.otherApiKey,
    credentialId: 'krn:partner:global:test:credential:api:9e3d2c1b-7a6f-4b5e-8d4c-3b2a1f0e9d8c',
  },
];

function seedPrincipals(state: SandboxState): void {
  for (const { principal, apiKey, credentialId } of PRINCIPALS) {
    state.principals.set(principal.id, principal);
    state.principalBySecret.set(apiKey, principal.id);
    const record: CredentialRecord = {
      ownerId: principal.id,
      credential: { credential_id: credentialId, description: 'Sandbox API key', type: 'API', environment: 'TEST', status: 'ENABLED' },
      secret: apiKey,
    };
    state.credentials.set(credentialId, record);
  }
}

export interface SeedOptions {
  /** Generated partner accounts of the demo principal (the other principal always has three). */
  accounts: number;
  seed: number;
  /** Sandbox time (epoch milliseconds) at boot; settlement periods end the day before. */
  now: number;
}

export function seedState(state: SandboxState, { accounts, seed, now }: SeedOptions): void {
  const principalId = DEMO_CREDENTIALS.principalId;
  const otherPrincipalId = DEMO_CREDENTIALS.otherPrincipalId;
  seedReferenceData(state, now);
  // The docs' credentials first: code looking for "a credential of the demo partner" then finds a
  // sample, and disabling it leaves the demo key working.
  seedDocsSamples(state, principalId);
  seedPrincipals(state);
  const portfolio = seedPortfolio(state, { principalId, otherPrincipalId, accounts, seed });
  seedPortfolioSettlements(state, portfolio, { seed, nowMs: now });
  seedCards(state, { principalId, otherPrincipalId, now });
}

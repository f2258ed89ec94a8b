/** Every operation of both contracts, by operationId. A test asserts none is missing. */
import type { HandlerMap } from '../handler.ts';
import { accountHandlers } from './accounts.ts';
import { cardOrderHandlers } from './card-orders.ts';
import { complianceHandlers } from './compliance.ts';
import { credentialHandlers } from './credentials.ts';
import { onboardingHandlers } from './onboarding.ts';
import { portalHandlers } from './portal.ts';
import { productHandlers } from './products.ts';
import { referenceDataHandlers } from './reference-data.ts';
import { settlementHandlers } from './settlements.ts';
import { accountResourceHandlers } from './account-resources.ts';

export const sandboxHandlers: HandlerMap = {
  ...accountHandlers,
  ...accountResourceHandlers,
  ...productHandlers,
  ...onboardingHandlers,
  ...credentialHandlers,
  ...referenceDataHandlers,
  ...settlementHandlers,
  ...portalHandlers,
  ...complianceHandlers,
  ...cardOrderHandlers,
};

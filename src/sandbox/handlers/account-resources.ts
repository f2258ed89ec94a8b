/** The resources inside a partner account, one file per resource, merged for `handlers/index.ts`. */
import type { HandlerMap } from '../handler.ts';
import { brandHandlers } from './brands.ts';
import { businessEntityHandlers } from './business-entities.ts';
import { paymentAccountHandlers } from './payment-accounts.ts';
import { storeGroupHandlers } from './store-groups.ts';
import { storeHandlers } from './stores.ts';

export const accountResourceHandlers: HandlerMap = {
  ...businessEntityHandlers,
  ...brandHandlers,
  ...storeHandlers,
  ...storeGroupHandlers,
  ...paymentAccountHandlers,
};

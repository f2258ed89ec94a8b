/** The schema: every domain file adds its types to the builder; this builds it once, at boot. */
import './scalars.ts';
import './money.ts';
import './nodes.ts';
import './accounts.ts';
import './business-entities.ts';
import './brands.ts';
import './stores.ts';
import './payment-products.ts';
import './compliance.ts';
import './credentials.ts';
import './reference-data.ts';
import './settlement-lines.ts';
import './settlements.ts';
import './settlement-report.ts';
import './card-orders.ts';
import './mutation-errors.ts';
import './onboarding.ts';
import './payment-product-mutations.ts';
import './credential-mutations.ts';
import './portal-access.ts';
import './card-order-mutations.ts';
import './events.ts';
import './subscriptions.ts';
import { builder } from './builder.ts';
import { resolveNodeIdsSynchronously } from './node-ids.ts';

export const buildSchema = () => resolveNodeIdsSynchronously(builder.toSchema({ sortSchema: true }));

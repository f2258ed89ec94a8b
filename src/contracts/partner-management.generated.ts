// Generated from openapi/partner-management-v2.yaml by `npm run contracts`. Do not edit.
export interface paths {
    "/v2/account/integration/credentials/api-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List all API Keys
         * @description List all API-key credentials associated with the current account (secrets are never returned).
         */
        get: operations["listApiKeys"];
        put?: never;
        /**
         * Create an API Key
         * @description Create a new API-key credential. The secret is returned only in this response.
         */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/account/integration/credentials/api-key/{credential_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read an API Key
         * @description Read all details of an API-key credential (without its secret).
         */
        get: operations["getApiKey"];
        put?: never;
        post?: never;
        /**
         * Disable an API Key
         * @description Disable (deactivate) an API-key credential. Gateway assumption: the credential stays listed with status DISABLED.
         */
        delete: operations["disableApiKey"];
        options?: never;
        head?: never;
        /**
         * Update an API Key
         * @description Update the description of an API-key credential.
         */
        patch: operations["updateApiKey"];
        trace?: never;
    };
    "/v2/account/integration/credentials/client-identifier": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List all Client Identifiers
         * @description List all client-identifier credentials associated with the current account.
         */
        get: operations["listClientIdentifiers"];
        put?: never;
        /**
         * Create a Client Identifier
         * @description Create a new client-identifier credential.
         */
        post: operations["createClientIdentifier"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/account/integration/credentials/client-identifier/{credential_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a Client Identifier
         * @description Read all details of a client-identifier credential.
         */
        get: operations["getClientIdentifier"];
        put?: never;
        post?: never;
        /**
         * Disable a Client Identifier
         * @description Disable (deactivate) a client-identifier credential. Gateway assumption: the credential stays listed with status DISABLED.
         */
        delete: operations["disableClientIdentifier"];
        options?: never;
        head?: never;
        /**
         * Update a Client Identifier
         * @description Update the description of a client-identifier credential.
         */
        patch: operations["updateClientIdentifier"];
        trace?: never;
    };
    "/v2/account/integration/credentials/client-certificate/{credential_id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a Client Certificate
         * @description Revokes a client certificate from the given date and time. r6 has no operation to create or list certificates.
         */
        post: operations["revokeClientCertificate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/distribution/products/payment/profiles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List all Payment Profiles
         * @description Fetches all payment profiles. A returned payment_profile_id may be used during onboarding to attach configuration to a payment product. (The r6 reference lists this operation twice, under two tags.)
         */
        get: operations["listPaymentProfiles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/distribution/onboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Onboard a merchant
         * @description Onboard a new merchant. Creates all entries needed for a fully functional account (business entity, payment product and payment accounts, brand, store group and stores). The account starts PARTIALLY_OPERATIONAL/INITIAL_SETUP and becomes OPERATIONAL asynchronously, announced by the partner.account.state-change.operational webhook.
         */
        post: operations["onboardPartner"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/distribution/migrate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Onboard a legacy merchant
         * @description Onboard an existing merchant to the Management API. This request overwrites all existing data with the new data provided.
         */
        post: operations["migratePartner"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read Partner Account
         * @description Read all details of a Partner Account the acting account has read access on. Sub-resources can be included with the expand query parameter (comma-separated, at most 10 entries).
         */
        get: operations["getAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update Account
         * @description Update a Partner Account the acting account has write access on. Nested objects make the update asynchronous; the account is PARTIALLY_OPERATIONAL (state_reason ACCOUNT_UPDATE) until all updates are completed.
         */
        patch: operations["updateAccount"];
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/partner-business-entities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all partner business entities available
         * @description Lists all partner business entities available under an account (cursor-paginated).
         */
        get: operations["listPartnerBusinessEntities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/partner-business-entities/{partner_business_entity_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a specific partner business entity
         * @description Obtain information about a specific Partner Business Entity.
         */
        get: operations["getPartnerBusinessEntity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a Partner Business Entity
         * @description Update the supplementary business data of a specific Partner Business Entity.
         */
        patch: operations["updatePartnerBusinessEntity"];
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/brands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all brands available
         * @description Lists all brands available under an account (cursor-paginated).
         */
        get: operations["listBrands"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/brands/{brand_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a specific brand
         * @description Obtain information about a specific Brand.
         */
        get: operations["getBrand"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a Brand
         * @description Update a specific Brand. display_name and brand_reference are required, so the body replaces the brand's data.
         */
        patch: operations["updateBrand"];
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/stores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all stores available
         * @description Lists all stores available under an account (cursor-paginated).
         */
        get: operations["listStores"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/stores/{store_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a specific Store
         * @description Obtain information about a specific Store.
         */
        get: operations["getStore"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a Store
         * @description Update a specific Store. All fields are required, so the body replaces the store's data.
         */
        patch: operations["updateStore"];
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/store-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all store groups available
         * @description Lists all store groups available under an account (cursor-paginated).
         */
        get: operations["listStoreGroups"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/store-groups/{store_group_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a specific Store Group
         * @description Obtain information about a specific Store Group.
         */
        get: operations["getStoreGroup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a Store Group
         * @description Update a specific Store Group. Gateway assumption: `stores` is a full replacement of the group's stores, matched by store_reference (stores absent from the list are detached).
         */
        patch: operations["updateStoreGroup"];
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/products/payment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all account payment products
         * @description Obtains a list of all payment products associated with the account (a top-level JSON array, not paginated).
         */
        get: operations["listPaymentProducts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/products/payment/{product_id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable a Payment Product
         * @description Disables the Payment Product on an account for the given reason; triggers the partner.account.product.payment.state-change.disabled webhook. Gateway assumption: disabling an already disabled product is idempotent (200, no webhook).
         */
        post: operations["disablePaymentProduct"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/products/payment/{product_id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable a Payment Product
         * @description Enable a Payment Product on an account (no request body); triggers the partner.account.product.payment.state-change.enabled webhook. A TERMINATED product can only be re-activated by Klarna (403).
         */
        post: operations["enablePaymentProduct"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/products/payment/{product_id}/payment-accounts/{payment_account_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read Payment Accounts
         * @description Obtain information about a specific Payment Account.
         */
        get: operations["getPaymentAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a Payment Account
         * @description Update a specific Payment Account. Klarna's sample response holds only payment_account_id; Gateway assumption: the full PaymentAccount is returned (only payment_account_id is required).
         */
        patch: operations["updatePaymentAccount"];
        trace?: never;
    };
    "/v2/distribution/products/payment/price-plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Fetch all Price Plans
         * @description Fetch all Price Plans available for the partner. Klarna's sample shows a single object. Gateway assumption: the body is a top-level JSON array, not paginated (as in Klarna's guides).
         */
        get: operations["listPricePlans"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/distribution/products/payment/price-plans/{price_plan_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a Price Plan
         * @description Read the version of a Price Plan in force at date_time, with its rates for the given merchant category code. merchant_category_code is required. Gateway assumption: the other filters narrow `rates`, and rates are paged with size/starting_after/ending_before.
         */
        get: operations["getPricePlan"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/settlements/{settlement_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get settlement details
         * @description Get details about a specific settlement. New settlements are announced by the settlement.report.created webhook.
         */
        get: operations["getSettlement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/settlements/{settlement_id}/csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get settlement report (CSV)
         * @description The settlement report of a specific settlement in CSV format. Line 1 is the summary heading, line 2 the one
         *     summary row, line 3 the transaction heading, then one line per transaction. Comma-delimited, values may be
         *     double-quoted; amounts are signed integers in minor units (positive credits, negative debits); percentages are
         *     integers in minor units (15.57 % is 1557). The summary heading ends with three empty columns and the
         *     transaction heading has four empty columns after transaction_currency.
         */
        get: operations["getSettlementCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/settlements/{settlement_id}/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List settlement transactions
         * @description Lists all transactions of a specific settlement (cursor-paginated).
         */
        get: operations["listSettlementTransactions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/settlements/{settlement_id}/payouts/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get payout status
         * @description Gets the status of the settlement payout. If more than one payout attempt has been made, the status of the latest is returned.
         */
        get: operations["getPayoutStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/portal/user-access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create or update user access
         * @description Create or update access to the Klarna Partner Portal for the user named in a signed JWT (201 when created, 204 when updated; no body). A new user gets an invitation email.
         */
        post: operations["grantPortalUserAccess"];
        /**
         * Delete user access
         * @description Deletes all user access, scoped by account and/or principal. At least one of partner_account_id and principal is required; OpenAPI cannot express this, the sandbox enforces it (400 otherwise).
         */
        delete: operations["revokePortalUserAccess"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/compliance/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get all decisions for an account
         * @description Get all compliance decisions for an account (cursor-paginated, default size 20). New decisions are announced by the compliance.decision.created webhook. The r6 text lists only size and starting_after; Gateway assumption: ending_before is accepted as on the other paged lists.
         */
        get: operations["listComplianceDecisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/accounts/{partner_account_id}/compliance/decisions/{decision_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a decision
         * @description Get one compliance decision of an account.
         */
        get: operations["getComplianceDecision"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "partner.account.state-change.operational": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Partner account became operational
         * @description Sent to the acquirer when an account finishes setup after onboard, migrate or a nested account update (state OPERATIONAL, state_reason SETUP_COMPLETE). Account-level event, so metadata carries no product_instance_id. Klarna retries failed deliveries (+10 s, +2 min, +15 min, +3 h, +6 h, +12 h), so duplicates happen; deduplicate on metadata.event_id.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /**
                     * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
                     * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                     */
                    "Klarna-Signature": components["parameters"]["KlarnaSignature"];
                    /**
                     * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
                     * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
                     */
                    "Klarna-Signing-Key-Id": components["parameters"]["KlarnaSigningKeyId"];
                };
                path?: never;
                cookie?: never;
            };
            /** @description The signed event. */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "metadata": {
                     *         "event_id": "3f2b8c1e-6a8d-4c1e-9a57-0a4f3b9d2e11",
                     *         "event_type": "partner.account.state-change.operational",
                     *         "event_version": "v1",
                     *         "occurred_at": "2025-02-28T12:00:00Z",
                     *         "subject_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "recipient_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "webhook_id": "krn:partner:global:notification:webhook:0b7c4b8e-2f0e-4a51-9d4e-5f3e1b2a6c7d",
                     *         "live": true
                     *       },
                     *       "payload": {
                     *         "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "partner_account_reference": "M123786123412",
                     *         "state": "OPERATIONAL",
                     *         "state_reason": "SETUP_COMPLETE",
                     *         "previous_state": "PARTIALLY_OPERATIONAL"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AccountStateChangedEvent"];
                };
            };
            responses: {
                /** @description Event acknowledged (201, 202 and 204 are accepted as well). Any other status or a timeout makes Klarna retry. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Signature verification failed; the receiver rejects the event. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "partner.account.product.payment.state-change.disabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Payment product disabled or terminated
         * @description Sent when a payment product is disabled by the partner (disablePaymentProduct) or disabled/terminated by Klarna. metadata.product_instance_id is the product_id. The current event version (v2) carries state_context; the deprecated v1 omits it.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /**
                     * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
                     * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                     */
                    "Klarna-Signature": components["parameters"]["KlarnaSignature"];
                    /**
                     * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
                     * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
                     */
                    "Klarna-Signing-Key-Id": components["parameters"]["KlarnaSigningKeyId"];
                };
                path?: never;
                cookie?: never;
            };
            /** @description The signed event. */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "metadata": {
                     *         "event_id": "9d6a1f3e-2b7c-4e8a-8f1d-3c5b7a9e0f12",
                     *         "event_type": "partner.account.product.payment.state-change.disabled",
                     *         "event_version": "v2",
                     *         "occurred_at": "2025-02-28T12:00:00Z",
                     *         "subject_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "recipient_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "webhook_id": "krn:partner:global:notification:webhook:0b7c4b8e-2f0e-4a51-9d4e-5f3e1b2a6c7d",
                     *         "live": true
                     *       },
                     *       "payload": {
                     *         "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "state": "DISABLED",
                     *         "state_reason": "FRAUD_BY_PARTNER",
                     *         "state_context": {
                     *           "reason": "FRAUD",
                     *           "reason_details": "Fraudulent activity detected"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentProductDisabledEvent"];
                };
            };
            responses: {
                /** @description Event acknowledged (201, 202 and 204 are accepted as well). Any other status or a timeout makes Klarna retry. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Signature verification failed; the receiver rejects the event. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "partner.account.product.payment.state-change.enabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Payment product enabled
         * @description Sent when a payment product is enabled by the partner (enablePaymentProduct) or re-activated by Klarna. metadata.product_instance_id is the product_id.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /**
                     * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
                     * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                     */
                    "Klarna-Signature": components["parameters"]["KlarnaSignature"];
                    /**
                     * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
                     * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
                     */
                    "Klarna-Signing-Key-Id": components["parameters"]["KlarnaSigningKeyId"];
                };
                path?: never;
                cookie?: never;
            };
            /** @description The signed event. */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "metadata": {
                     *         "event_id": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
                     *         "event_type": "partner.account.product.payment.state-change.enabled",
                     *         "event_version": "v2",
                     *         "occurred_at": "2025-02-28T12:00:00Z",
                     *         "subject_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "recipient_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "webhook_id": "krn:partner:global:notification:webhook:0b7c4b8e-2f0e-4a51-9d4e-5f3e1b2a6c7d",
                     *         "live": true
                     *       },
                     *       "payload": {
                     *         "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "state": "ENABLED",
                     *         "state_reason": "APPROVED"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentProductEnabledEvent"];
                };
            };
            responses: {
                /** @description Event acknowledged (201, 202 and 204 are accepted as well). Any other status or a timeout makes Klarna retry. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Signature verification failed; the receiver rejects the event. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "settlement.report.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Settlement report created
         * @description Sent when the reports of a settlement are available in all formats; the payload links to them.
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /**
                     * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
                     * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                     */
                    "Klarna-Signature": components["parameters"]["KlarnaSignature"];
                    /**
                     * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
                     * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
                     */
                    "Klarna-Signing-Key-Id": components["parameters"]["KlarnaSigningKeyId"];
                };
                path?: never;
                cookie?: never;
            };
            /** @description The signed event. */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "metadata": {
                     *         "event_id": "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b",
                     *         "event_type": "settlement.report.created",
                     *         "event_version": "v1",
                     *         "occurred_at": "2024-10-13T00:00:00Z",
                     *         "subject_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "recipient_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "webhook_id": "krn:partner:global:notification:webhook:0b7c4b8e-2f0e-4a51-9d4e-5f3e1b2a6c7d",
                     *         "live": true
                     *       },
                     *       "payload": {
                     *         "settlement_id": "krn:partner:eu1:settlement:live:113574395",
                     *         "payment_acquiring_account_id": "krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *         "currency": "USD",
                     *         "created_at": "2024-10-13T00:00:00Z",
                     *         "links": {
                     *           "settlement": {
                     *             "href": "https://api-global.klarna.com/v2/settlements/krn%3Apartner%3Aeu1%3Asettlement%3Alive%3A113574395"
                     *           },
                     *           "transactions": {
                     *             "href": "https://api-global.klarna.com/v2/settlements/krn%3Apartner%3Aeu1%3Asettlement%3Alive%3A113574395/transactions"
                     *           },
                     *           "csv": {
                     *             "href": "https://api-global.klarna.com/v2/settlements/krn%3Apartner%3Aeu1%3Asettlement%3Alive%3A113574395/csv"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["SettlementReportCreatedEvent"];
                };
            };
            responses: {
                /** @description Event acknowledged (201, 202 and 204 are accepted as well). Any other status or a timeout makes Klarna retry. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Signature verification failed; the receiver rejects the event. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "compliance.decision.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Compliance decision created
         * @description Sent when Klarna creates a compliance decision on an account. Gateway assumption: the event name compliance.decision.created (the r6 text only titles the callback "Compliance decision created").
         */
        post: {
            parameters: {
                query?: never;
                header: {
                    /**
                     * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
                     * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                     */
                    "Klarna-Signature": components["parameters"]["KlarnaSignature"];
                    /**
                     * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
                     * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
                     */
                    "Klarna-Signing-Key-Id": components["parameters"]["KlarnaSigningKeyId"];
                };
                path?: never;
                cookie?: never;
            };
            /** @description The signed event. */
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "metadata": {
                     *         "event_id": "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                     *         "event_type": "compliance.decision.created",
                     *         "event_version": "v1",
                     *         "occurred_at": "2019-08-24T14:15:22Z",
                     *         "subject_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "recipient_account_id": "krn:partner:global:account:live:ACQ12345",
                     *         "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "webhook_id": "krn:partner:global:notification:webhook:0b7c4b8e-2f0e-4a51-9d4e-5f3e1b2a6c7d",
                     *         "live": true
                     *       },
                     *       "payload": {
                     *         "decision_id": "krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *         "decision_type": "NON_COMPLIANT",
                     *         "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *         "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "created_at": "2019-08-24T14:15:22Z"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ComplianceDecisionCreatedEvent"];
                };
            };
            responses: {
                /** @description Event acknowledged (201, 202 and 204 are accepted as well). Any other status or a timeout makes Klarna retry. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Signature verification failed; the receiver rejects the event. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description Value of the Klarna-Integration-Metadata header; identifies the integrator and the originators of the request. */
        IntegrationMetadata: {
            /** @description The party integrating directly with Klarna (e.g. the gateway). */
            integrator: components["schemas"]["IntegrationParty"];
            /** @description Parties on whose behalf the integrator calls Klarna, outermost first. */
            originators?: components["schemas"]["IntegrationParty"][];
        };
        /** @description An integrator or originator in the integration metadata. */
        IntegrationParty: {
            /** @description Name of the party in UPPER_SNAKE_CASE, without legal form or country. */
            name: string;
            /** @description The party's own reference for the session or request. */
            session_reference: string;
            /** @description Name of the party's module making the call. */
            module_name?: string;
            /** @description Version of that module. */
            module_version?: string;
        };
        /** @description Error body of every 4xx/5xx response. */
        ErrorResponse: {
            /**
             * Format: uuid
             * @description Unique id of this error occurrence, for support requests.
             */
            error_id: string;
            /** @description Error category. Known values: INPUT_ERROR, ACCESS_ERROR, RESOURCE_ERROR, TECHNICAL_ERROR. */
            error_type: string;
            /** @description Specific error code. Known values: VALIDATION_ERROR, INVALID_CONTENT_TYPE (400), UNAUTHORIZED (401), OPERATION_FORBIDDEN (403), RESOURCE_NOT_FOUND, NOT_FOUND (404), RESOURCE_CONFLICT, RATE_LIMITED (429), INTERNAL_ERROR, SERVER_CONFIGURATION_ERROR (500). */
            error_code: string;
            /** @description Human-readable explanation. */
            error_message: string;
            /** @description Link to documentation about the error. */
            doc_url?: string;
            /** @description Per-parameter problems, for bad input. */
            validation_errors?: components["schemas"]["ValidationErrorItem"][];
        };
        /** @description One invalid input parameter. Gateway assumption: parameter and reason are always present. */
        ValidationErrorItem: {
            /** @description The parameter at fault, as a JSON dot path for body fields (e.g. products[0].payment_accounts[0].default_merchant_category_code). */
            parameter: string;
            /** @description Why the value was rejected. */
            reason: string;
            /** @description Link to documentation about the parameter. */
            doc_url?: string;
        };
        /** @description Cursor pagination of a list response. */
        Pagination: {
            /**
             * Format: int32
             * @description Number of items in this page.
             */
            count: number;
            /**
             * Format: int32
             * @description Total number of items across all pages.
             */
            total?: number;
            /** @description Cursor of the first item of this page, for ending_before; may be null. */
            first_item?: string | null;
            /** @description Cursor of the last item of this page, for starting_after; null when there are no more items. */
            last_item?: string | null;
            /** @description Links to the neighbouring pages. */
            links?: {
                /** @description Link to the next page. */
                next?: components["schemas"]["Link"];
                /** @description Link to the previous page. */
                prev?: components["schemas"]["Link"];
            };
        };
        /** @description A hypermedia link. */
        Link: {
            /**
             * Format: uri-reference
             * @description Target URL (absolute or relative to the server).
             */
            href: string;
            /** @description HTTP method to use; GET when absent. */
            method?: string;
            /** @description Relation of the target to the current resource (e.g. next, prev). */
            rel?: string;
        };
        /**
         * @description Partner account KRN, e.g. krn:partner:global:account:live:LWT2XJSE (opaque; only presence and access are checked).
         * @example krn:partner:global:account:live:LWT2XJSE
         */
        PartnerAccountId: string;
        /**
         * @description Country in ISO 3166-1 alpha-2 format.
         * @example US
         */
        Country: string;
        /**
         * @description Currency in ISO 4217 format.
         * @example USD
         */
        Currency: string;
        /**
         * @description Merchant Category Code (MCC), a four-digit code classifying the goods or services a business offers. Closed list of the 909 codes Klarna accepts in requests; responses use a plain four-digit string.
         * @enum {string}
         */
        MerchantCategoryCode: "0742" | "0743" | "0744" | "0763" | "0780" | "1520" | "1711" | "1731" | "1740" | "1750" | "1761" | "1771" | "1799" | "2741" | "2791" | "2842" | "3000" | "3001" | "3002" | "3003" | "3004" | "3005" | "3006" | "3007" | "3008" | "3009" | "3010" | "3011" | "3012" | "3013" | "3014" | "3015" | "3016" | "3017" | "3018" | "3019" | "3020" | "3021" | "3022" | "3023" | "3024" | "3025" | "3026" | "3027" | "3028" | "3029" | "3030" | "3031" | "3032" | "3033" | "3034" | "3035" | "3036" | "3037" | "3038" | "3039" | "3040" | "3041" | "3042" | "3043" | "3044" | "3045" | "3046" | "3047" | "3048" | "3049" | "3050" | "3051" | "3052" | "3053" | "3054" | "3055" | "3056" | "3057" | "3058" | "3059" | "3060" | "3061" | "3062" | "3063" | "3064" | "3065" | "3066" | "3067" | "3068" | "3069" | "3070" | "3071" | "3072" | "3075" | "3076" | "3077" | "3078" | "3079" | "3080" | "3081" | "3082" | "3083" | "3084" | "3085" | "3086" | "3087" | "3088" | "3089" | "3090" | "3094" | "3096" | "3097" | "3098" | "3099" | "3100" | "3102" | "3103" | "3106" | "3110" | "3111" | "3112" | "3115" | "3117" | "3118" | "3125" | "3126" | "3127" | "3129" | "3130" | "3131" | "3132" | "3133" | "3135" | "3136" | "3137" | "3138" | "3143" | "3144" | "3145" | "3146" | "3148" | "3151" | "3154" | "3156" | "3159" | "3161" | "3164" | "3165" | "3167" | "3170" | "3171" | "3172" | "3174" | "3175" | "3176" | "3177" | "3178" | "3180" | "3181" | "3182" | "3183" | "3184" | "3185" | "3186" | "3187" | "3188" | "3190" | "3191" | "3193" | "3196" | "3197" | "3200" | "3203" | "3204" | "3206" | "3211" | "3212" | "3213" | "3215" | "3216" | "3217" | "3218" | "3219" | "3220" | "3221" | "3222" | "3223" | "3226" | "3228" | "3229" | "3231" | "3233" | "3234" | "3235" | "3236" | "3238" | "3239" | "3240" | "3241" | "3242" | "3243" | "3245" | "3246" | "3247" | "3248" | "3251" | "3252" | "3253" | "3254" | "3256" | "3259" | "3260" | "3261" | "3262" | "3263" | "3266" | "3267" | "3280" | "3282" | "3284" | "3285" | "3286" | "3287" | "3292" | "3293" | "3294" | "3295" | "3296" | "3297" | "3298" | "3299" | "3300" | "3301" | "3302" | "3303" | "3308" | "3351" | "3352" | "3353" | "3354" | "3355" | "3357" | "3359" | "3360" | "3361" | "3362" | "3364" | "3366" | "3368" | "3370" | "3374" | "3376" | "3380" | "3381" | "3385" | "3386" | "3387" | "3388" | "3389" | "3390" | "3391" | "3393" | "3394" | "3395" | "3396" | "3398" | "3400" | "3405" | "3409" | "3414" | "3420" | "3421" | "3423" | "3425" | "3427" | "3428" | "3429" | "3430" | "3431" | "3432" | "3433" | "3434" | "3435" | "3436" | "3437" | "3438" | "3439" | "3441" | "3501" | "3502" | "3503" | "3504" | "3505" | "3506" | "3507" | "3508" | "3509" | "3510" | "3511" | "3512" | "3513" | "3514" | "3515" | "3516" | "3517" | "3518" | "3519" | "3520" | "3521" | "3522" | "3523" | "3524" | "3525" | "3526" | "3527" | "3528" | "3529" | "3530" | "3531" | "3532" | "3533" | "3534" | "3535" | "3536" | "3537" | "3538" | "3539" | "3540" | "3541" | "3542" | "3543" | "3544" | "3545" | "3546" | "3547" | "3548" | "3549" | "3550" | "3551" | "3552" | "3553" | "3554" | "3555" | "3556" | "3557" | "3558" | "3559" | "3560" | "3561" | "3562" | "3563" | "3564" | "3565" | "3566" | "3567" | "3568" | "3569" | "3570" | "3571" | "3572" | "3573" | "3574" | "3575" | "3576" | "3577" | "3578" | "3579" | "3580" | "3581" | "3582" | "3583" | "3584" | "3585" | "3586" | "3587" | "3588" | "3589" | "3590" | "3591" | "3592" | "3593" | "3594" | "3595" | "3596" | "3597" | "3598" | "3599" | "3600" | "3601" | "3602" | "3603" | "3604" | "3607" | "3608" | "3609" | "3612" | "3613" | "3614" | "3615" | "3617" | "3618" | "3619" | "3620" | "3621" | "3622" | "3623" | "3624" | "3625" | "3626" | "3627" | "3628" | "3629" | "3630" | "3631" | "3632" | "3633" | "3634" | "3635" | "3636" | "3637" | "3638" | "3639" | "3640" | "3641" | "3642" | "3643" | "3644" | "3645" | "3646" | "3647" | "3648" | "3649" | "3650" | "3651" | "3652" | "3653" | "3654" | "3655" | "3656" | "3657" | "3658" | "3659" | "3660" | "3661" | "3662" | "3663" | "3664" | "3665" | "3666" | "3667" | "3668" | "3669" | "3670" | "3671" | "3672" | "3673" | "3674" | "3675" | "3676" | "3677" | "3678" | "3679" | "3680" | "3681" | "3682" | "3683" | "3684" | "3685" | "3686" | "3687" | "3688" | "3689" | "3690" | "3691" | "3692" | "3693" | "3694" | "3695" | "3696" | "3697" | "3698" | "3699" | "3700" | "3701" | "3702" | "3703" | "3704" | "3705" | "3706" | "3707" | "3708" | "3709" | "3710" | "3711" | "3712" | "3713" | "3714" | "3715" | "3716" | "3717" | "3718" | "3719" | "3720" | "3721" | "3722" | "3723" | "3724" | "3725" | "3726" | "3727" | "3728" | "3729" | "3730" | "3731" | "3732" | "3733" | "3734" | "3735" | "3736" | "3737" | "3738" | "3739" | "3740" | "3741" | "3742" | "3743" | "3744" | "3745" | "3746" | "3747" | "3748" | "3749" | "3750" | "3751" | "3752" | "3753" | "3754" | "3755" | "3756" | "3757" | "3758" | "3759" | "3760" | "3761" | "3762" | "3763" | "3764" | "3765" | "3766" | "3767" | "3768" | "3769" | "3770" | "3771" | "3772" | "3773" | "3774" | "3775" | "3776" | "3777" | "3778" | "3779" | "3780" | "3781" | "3782" | "3783" | "3784" | "3785" | "3786" | "3787" | "3788" | "3789" | "3790" | "3791" | "3792" | "3793" | "3794" | "3795" | "3796" | "3797" | "3798" | "3799" | "3800" | "3801" | "3802" | "3803" | "3804" | "3805" | "3806" | "3807" | "3808" | "3809" | "3810" | "3811" | "3812" | "3813" | "3814" | "3815" | "3816" | "3817" | "3818" | "3819" | "3820" | "3821" | "3822" | "3823" | "3824" | "3825" | "3826" | "3827" | "3828" | "3829" | "3830" | "3831" | "3832" | "3833" | "3834" | "3835" | "3836" | "3837" | "3838" | "3839" | "4011" | "4111" | "4112" | "4119" | "4121" | "4131" | "4214" | "4215" | "4225" | "4411" | "4457" | "4468" | "4511" | "4582" | "4722" | "4723" | "4784" | "4789" | "4812" | "4813" | "4814" | "4815" | "4816" | "4821" | "4829" | "4899" | "4900" | "5013" | "5021" | "5039" | "5044" | "5045" | "5046" | "5047" | "5051" | "5065" | "5072" | "5074" | "5085" | "5094" | "5099" | "5111" | "5122" | "5131" | "5137" | "5139" | "5169" | "5172" | "5192" | "5193" | "5198" | "5199" | "5200" | "5211" | "5231" | "5251" | "5261" | "5262" | "5271" | "5292" | "5293" | "5300" | "5309" | "5310" | "5311" | "5331" | "5399" | "5411" | "5422" | "5441" | "5451" | "5462" | "5499" | "5511" | "5521" | "5531" | "5532" | "5533" | "5541" | "5542" | "5551" | "5552" | "5561" | "5571" | "5592" | "5598" | "5599" | "5611" | "5621" | "5631" | "5641" | "5651" | "5655" | "5661" | "5681" | "5691" | "5697" | "5698" | "5699" | "5712" | "5713" | "5714" | "5715" | "5718" | "5719" | "5722" | "5723" | "5732" | "5733" | "5734" | "5735" | "5811" | "5812" | "5813" | "5814" | "5815" | "5816" | "5817" | "5818" | "5912" | "5921" | "5931" | "5932" | "5933" | "5935" | "5937" | "5940" | "5941" | "5942" | "5943" | "5944" | "5945" | "5946" | "5947" | "5948" | "5949" | "5950" | "5960" | "5962" | "5963" | "5964" | "5965" | "5966" | "5967" | "5968" | "5969" | "5970" | "5971" | "5972" | "5973" | "5975" | "5976" | "5977" | "5978" | "5983" | "5992" | "5993" | "5994" | "5995" | "5996" | "5997" | "5998" | "5999" | "6010" | "6011" | "6012" | "6050" | "6051" | "6211" | "6300" | "6513" | "6520" | "6532" | "6533" | "6536" | "6537" | "6538" | "6540" | "7011" | "7012" | "7032" | "7033" | "7210" | "7211" | "7216" | "7217" | "7221" | "7230" | "7251" | "7261" | "7273" | "7276" | "7277" | "7278" | "7295" | "7296" | "7297" | "7298" | "7299" | "7311" | "7321" | "7322" | "7333" | "7338" | "7339" | "7342" | "7349" | "7361" | "7372" | "7375" | "7379" | "7392" | "7393" | "7394" | "7395" | "7399" | "7512" | "7513" | "7519" | "7523" | "7531" | "7534" | "7535" | "7538" | "7542" | "7549" | "7622" | "7623" | "7629" | "7631" | "7641" | "7692" | "7699" | "7800" | "7801" | "7802" | "7829" | "7832" | "7841" | "7911" | "7922" | "7929" | "7932" | "7933" | "7941" | "7991" | "7992" | "7993" | "7994" | "7995" | "7996" | "7997" | "7998" | "7999" | "8011" | "8021" | "8031" | "8041" | "8042" | "8043" | "8049" | "8050" | "8062" | "8071" | "8099" | "8111" | "8211" | "8220" | "8241" | "8244" | "8249" | "8299" | "8351" | "8398" | "8641" | "8651" | "8661" | "8675" | "8699" | "8734" | "8911" | "8931" | "8999" | "9211" | "9222" | "9223" | "9311" | "9399" | "9402" | "9405" | "9406";
        /**
         * @description Credential KRN. The r6 text truncates its pattern after "credentia"; this completion covers its examples (api, client and client_cert credentials).
         * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
         * @example krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E
         */
        CredentialId: string;
        /** @description Body of createApiKey and createClientIdentifier. */
        CredentialCreateRequest: {
            /** @description Description provided by the partner for the credential. */
            description?: string;
        };
        /** @description Body of updateApiKey and updateClientIdentifier. */
        CredentialUpdateRequest: {
            /** @description New description of the credential. */
            description?: string;
        };
        /** @description An API key, client identifier or client certificate of the calling account. */
        Credential: {
            /** @description Identifier of the credential. */
            credential_id: components["schemas"]["CredentialId"];
            /** @description Description provided by the partner. */
            description?: string;
            /** @description Credential kind. Known values: API, CLIENT, CLIENT_CERT. */
            type: string;
            /** @description Environment the credential works in. Known values: LIVE, TEST. */
            environment: string;
            /** @description Known values: ENABLED, DISABLED. Credentials unused for two months are disabled automatically. */
            status: string;
            /** @description The API key secret; only in the createApiKey response, shown once. */
            secret?: components["schemas"]["CredentialSecret"];
            /** @description Identity data of client identifiers and client certificates. */
            identity?: components["schemas"]["CredentialIdentity"];
            /** @description Configuration of client certificates. */
            config?: components["schemas"]["CredentialConfig"];
        };
        /** @description Secret part of a newly created API key. */
        CredentialSecret: {
            /** @description The API key (klarna_live_api_... or klarna_test_api_...), used as HTTP Basic credentials. */
            secret: string;
        };
        /** @description Identity of a client identifier or client certificate. Collapsed in the r6 text; Gateway assumption: client_id for client identifiers, certificate fields for client certificates. */
        CredentialIdentity: {
            /** @description Client identifier (klarna_live_client_... / klarna_test_client_...), for CLIENT credentials. */
            client_id?: string;
            /** @description Certificate subject distinguished name, for CLIENT_CERT credentials. */
            subject?: string;
            /** @description Certificate serial number (hex), for CLIENT_CERT credentials. */
            serial_number?: string;
            /** @description SHA-256 fingerprint of the certificate, for CLIENT_CERT credentials. */
            fingerprint_sha256?: string;
            /**
             * Format: date-time
             * @description Start of the certificate's validity.
             */
            not_before?: string;
            /**
             * Format: date-time
             * @description End of the certificate's validity.
             */
            not_after?: string;
        };
        /** @description Configuration of a client certificate. Collapsed in the r6 text; Gateway assumption: usage and revoked_from. */
        CredentialConfig: {
            /** @description What the certificate is used for. Known values: MTLS. */
            usage?: string;
            /**
             * Format: date-time
             * @description When the certificate is (or was) revoked; null when not revoked.
             */
            revoked_from?: string | null;
        };
        /** @description Response of listApiKeys and listClientIdentifiers (not paginated). */
        CredentialList: {
            /** @description The credentials of the requested kind. */
            credentials: components["schemas"]["Credential"][];
        };
        /** @description Body of revokeClientCertificate. */
        ClientCertificateRevokeRequest: {
            /**
             * Format: date-time
             * @description Date and time (ISO 8601) from which the certificate is revoked. Gateway assumption: a future value keeps the certificate ENABLED until then.
             */
            revoked_from: string;
        };
        /** @description A combination of a price plan and a payment program, attachable to a payment product during onboarding. */
        PaymentProfile: {
            /** @description Payment profile KRN, e.g. krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58. */
            payment_profile_id: string;
            /** @description KRN of the price plan of this profile. */
            price_plan_id?: string;
            /** @description KRN of the payment program plan of this profile. */
            payment_program_plan_id?: string;
        };
        /** @description A price plan as listed by listPricePlans. */
        PricePlanSummary: {
            /** @description Price plan KRN. */
            price_plan_id: string;
            /** @description Name of the price plan. */
            name?: string;
            /** @description Description of the price plan. */
            description?: string;
            /** @description The versions of the price plan (future-dated changes included). */
            versions?: components["schemas"]["PricePlanVersion"][];
        };
        /** @description One version of a price plan. Collapsed in the r6 text; Gateway assumption: version, effective_from, effective_to, comment. */
        PricePlanVersion: {
            /** @description Version number. */
            version?: number;
            /**
             * Format: date-time
             * @description When this version takes effect.
             */
            effective_from?: string;
            /**
             * Format: date-time
             * @description When the next version takes effect; null for the latest version.
             */
            effective_to?: string | null;
            /** @description Free-text comment on the version. */
            comment?: string;
        };
        /** @description One version of a price plan with its rates, as returned by getPricePlan. */
        PricePlan: {
            /** @description Price plan KRN. */
            price_plan_id: string;
            /** @description Name of the price plan. */
            name?: string;
            /** @description Description of the price plan. */
            description?: string;
            /** @description The rates of this version matching the query filters. */
            rates?: components["schemas"]["PricePlanRate"][];
            /** @description Version number of the returned version. */
            version?: number;
            /**
             * Format: date-time
             * @description When the returned version took or takes effect.
             */
            effective_from?: string;
            /** @description Free-text comment on the version. */
            comment?: string;
            /** @description Pagination of the rates. */
            pagination?: components["schemas"]["Pagination"];
        };
        /** @description One rate of a price plan. Collapsed in the r6 text; Gateway assumption: the query filter dimensions plus fees (integers, amounts in minor units, percentages in minor units). */
        PricePlanRate: {
            /** @description MCC the rate applies to. */
            merchant_category_code?: string;
            /** @description Currency (ISO 4217) the rate applies to. */
            currency?: string;
            /** @description Partner country (ISO 3166-1 alpha-2) the rate applies to. */
            partner_country?: string;
            /** @description Customer country (ISO 3166-1 alpha-2) the rate applies to. */
            customer_country?: string;
            /** @description Payment category the rate applies to. Known values: DIGITAL, PHYSICAL. */
            pricing_payment_category?: string;
            /** @description KRN of the payment program the rate applies to. */
            payment_program_id?: string;
            /**
             * Format: int64
             * @description Fixed fee per transaction, minor units.
             */
            fixed_fee?: number;
            /**
             * Format: int64
             * @description Variable fee, percentage in minor units (1557 = 15.57 %).
             */
            variable_fee?: number;
            /**
             * Format: int64
             * @description Cross-border fee, percentage in minor units.
             */
            cross_border_fee?: number;
            /**
             * Format: int64
             * @description Fee cap for micro transactions, minor units; null when none.
             */
            micro_transaction_cap?: number | null;
        };
        /** @description Body of onboardPartner. The r6 reference declares exactly one item in each of partner_business_entities, products, brands and store_groups; the contract allows 1..n (later releases) and the sandbox enforces exactly one in its strict mode. Cross references (payment account to business entity and store group, store group to brand) are by reference and validated by the sandbox (400 VALIDATION_ERROR). */
        OnboardRequest: {
            /** @description Reference of the distribution partner for the merchant being onboarded. Gateway assumption: non-empty and unique per acquirer (a duplicate is 400 RESOURCE_ERROR/RESOURCE_CONFLICT). */
            partner_account_reference: string;
            /** @description The name of the account, business name or similar. Gateway assumption: non-empty. */
            partner_account_name: string;
            /** @description The account owner details. */
            partner_account_contact: components["schemas"]["PartnerAccountContact"];
            /** @description Business entities of the merchant (r6 declares exactly one; the sandbox enforces that in strict mode). */
            partner_business_entities: components["schemas"]["PartnerBusinessEntityData"][];
            /** @description Products configured for the merchant (r6 declares exactly one; the sandbox enforces that in strict mode). */
            products: components["schemas"]["PaymentProductRequestData"][];
            /** @description Branding data (r6 declares exactly one; the sandbox enforces that in strict mode). */
            brands: components["schemas"]["BrandData"][];
            /** @description Store groups with their stores (r6 declares exactly one; the sandbox enforces that in strict mode). */
            store_groups: components["schemas"]["StoreGroupData"][];
            /** @description Supplementary information that might be relevant for fraud detection. */
            supplementary_account_data?: components["schemas"]["SupplementaryAccountData"];
        };
        /** @description Body of migratePartner; as OnboardRequest, but products are PaymentProductMigrationData and brands are optional. Overwrites all existing data of the merchant. The sandbox enforces exactly one item per array in its strict mode. */
        MigrateRequest: {
            /** @description Reference of the distribution partner for the merchant being migrated. Gateway assumption: non-empty. */
            partner_account_reference: string;
            /** @description The name of the account, business name or similar. Gateway assumption: non-empty. */
            partner_account_name: string;
            /** @description The account owner details. */
            partner_account_contact: components["schemas"]["PartnerAccountContact"];
            /** @description Business entities of the merchant (r6 declares exactly one; the sandbox enforces that in strict mode). */
            partner_business_entities: components["schemas"]["PartnerBusinessEntityData"][];
            /** @description Products configured for the merchant (r6 declares exactly one; the sandbox enforces that in strict mode). */
            products: components["schemas"]["PaymentProductMigrationData"][];
            /** @description Branding data, optional for migration (r6 declares exactly one when present; the sandbox enforces that in strict mode). */
            brands?: components["schemas"]["BrandData"][];
            /** @description Store groups with their stores (r6 declares exactly one; the sandbox enforces that in strict mode). */
            store_groups: components["schemas"]["StoreGroupData"][];
            /** @description Supplementary information that might be relevant for fraud detection. */
            supplementary_account_data?: components["schemas"]["SupplementaryAccountData"];
        };
        /** @description Body of updateAccount; all fields optional, absent fields unchanged. */
        AccountUpdateRequest: {
            /** @description New reference of the distribution partner for the merchant (Klarna type name PartnerAccountGroupReference). */
            partner_account_reference?: string;
            /** @description New name of the account. */
            partner_account_name?: string;
            /** @description New account owner details (replaces the contact; makes the update asynchronous). */
            partner_account_contact?: components["schemas"]["PartnerAccountContact"];
        };
        /** @description The account owner. Gateway assumption: only email is required; phone in E.164 form is recommended but not validated. */
        PartnerAccountContact: {
            /** @description Given name of the account owner. */
            given_name?: string;
            /** @description Family name of the account owner. */
            family_name?: string;
            /**
             * Format: email
             * @description Email address of the account owner.
             */
            email: string;
            /** @description Phone number of the account owner, E.164 recommended (e.g. +18445527621). */
            phone?: string;
        };
        /** @description The account fields returned by onboardPartner, migratePartner and updateAccount. */
        PartnerAccountSummary: {
            /** @description Identifier of the partner account. */
            partner_account_id: components["schemas"]["PartnerAccountId"];
            /** @description Reference of the distribution partner for the merchant. */
            partner_account_reference: string;
            /** @description Name of the account. */
            partner_account_name: string;
            /** @description The account owner details (returned by updateAccount). */
            partner_account_contact?: components["schemas"]["PartnerAccountContact"];
            /** @description Account state. Known values: PARTIALLY_OPERATIONAL (onboarded or updating; can transact, cannot be managed), OPERATIONAL, DISABLED (set by Klarna only). */
            state: string;
            /** @description Why the account is in its state. Known values: INITIAL_SETUP, SETUP_COMPLETE, ACCOUNT_UPDATE. Gateway assumption: also DISABLED_BY_KLARNA, COMPLIANCE_DECISION, OTHER. */
            state_reason: string;
        };
        /** @description A partner account. Which sub-resource arrays are present depends on the expand query parameter of getAccount. */
        PartnerAccount: {
            /** @description Identifier of the partner account. */
            partner_account_id: components["schemas"]["PartnerAccountId"];
            /** @description Reference of the distribution partner for the merchant. */
            partner_account_reference: string;
            /** @description Name of the account. */
            partner_account_name: string;
            /** @description The account owner details. */
            partner_account_contact?: components["schemas"]["PartnerAccountContact"];
            /** @description Payment products of the account. */
            products?: components["schemas"]["PaymentProduct"][];
            /** @description Account state. Known values: PARTIALLY_OPERATIONAL, OPERATIONAL, DISABLED. */
            state: string;
            /** @description Why the account is in its state. Known values: INITIAL_SETUP, SETUP_COMPLETE, ACCOUNT_UPDATE. Gateway assumption: also DISABLED_BY_KLARNA, COMPLIANCE_DECISION, OTHER. */
            state_reason: string;
            /** @description Business entities of the account (expand=partner_busines_entities). */
            partner_business_entities?: components["schemas"]["PartnerBusinessEntity"][];
            /** @description Brands of the account (expand=brands). */
            brands?: components["schemas"]["Brand"][];
            /** @description Store groups of the account (expand=store_groups; their stores with expand=store_groups.stores). */
            store_groups?: components["schemas"]["StoreGroup"][];
        };
        /** @description Supplementary account information that might be relevant for fraud detection. Open object, stored verbatim. */
        SupplementaryAccountData: {
            /** @description How and when the merchant's account was created at the distribution partner. */
            account_creation?: {
                /** @description IP address the account was created from. */
                account_created_from_ip?: string;
                /**
                 * Format: date-time
                 * @description When the account was created.
                 */
                account_created_at?: string;
            };
        };
        /** @description A partner business entity in an onboard or migrate request. */
        PartnerBusinessEntityData: {
            /** @description Reference of the business entity, unique per account; payment accounts link to it. */
            partner_business_entity_reference: string;
            /** @description Registered legal name of the entity. */
            legal_registered_entity_name: string;
            /** @description Country of legal registration (ISO 3166-1 alpha-2). */
            legal_registration_country: components["schemas"]["Country"];
            /** @description MCCs the entity is enabled for. */
            enabled_merchant_category_codes?: components["schemas"]["MerchantCategoryCode"][];
            /** @description Supplementary business information that might be relevant for fraud detection. */
            supplementary_business_data?: components["schemas"]["SupplementaryBusinessData"];
        };
        /** @description A partner business entity, a business tied to one registered legal entity. */
        PartnerBusinessEntity: {
            /** @description Business entity KRN, e.g. krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58. */
            partner_business_entity_id: string;
            /** @description Reference of the business entity. */
            partner_business_entity_reference: string;
            /** @description Registered legal name of the entity. */
            legal_registered_entity_name?: string;
            /** @description Country of legal registration (ISO 3166-1 alpha-2). */
            legal_registration_country?: string;
            /** @description MCCs the entity is enabled for. */
            enabled_merchant_category_codes?: string[];
            /** @description Supplementary business information. */
            supplementary_business_data?: components["schemas"]["SupplementaryBusinessData"];
        };
        /** @description Body of updatePartnerBusinessEntity. */
        PartnerBusinessEntityUpdateRequest: {
            /** @description The new supplementary business information. */
            supplementary_business_data: components["schemas"]["SupplementaryBusinessData"];
        };
        /** @description A page of partner business entities. */
        PartnerBusinessEntityList: {
            /** @description The business entities in this page. */
            partner_business_entities: components["schemas"]["PartnerBusinessEntity"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /** @description Supplementary business information that might be relevant for fraud detection. Inner fields come from Klarna samples; Gateway assumption: value lists (entity types, roles, statuses, account types) are open strings, and unknown keys are kept verbatim. */
        SupplementaryBusinessData: {
            /** @description Legal registration details. */
            legal_registration?: components["schemas"]["LegalRegistration"];
            /** @description Addresses the business operates from. */
            operating_addresses?: components["schemas"]["Address"][];
            /** @description Owners, directors and other stakeholders. */
            stakeholders?: components["schemas"]["Stakeholder"][];
            /** @description State of the partner's payouts. */
            partner_payouts_state?: components["schemas"]["PartnerPayoutsState"];
            /** @description Spelling used in Klarna's guides for partner_payouts_state. Gateway assumption: accepted as an alias; send partner_payouts_state. */
            partner_payout_states?: components["schemas"]["PartnerPayoutsState"];
        };
        /** @description Legal registration of a business entity. */
        LegalRegistration: {
            /** @description Company registration number (format depends on the country). */
            legal_registration_number?: string;
            /** @description Authority that registered the entity. */
            legal_registration_authority?: string;
            /** @description Legal form. Gateway assumption: known values SOLE_PROPRIETORSHIP, PARTNERSHIP, LIMITED_LIABILITY_COMPANY, CORPORATION, NON_PROFIT, OTHER. */
            legal_registration_entity_type?: string;
            /** @description Tax registration number. */
            tax_registration_number?: string;
            /** @description Financial Conduct Authority number, where applicable. */
            financial_conduct_authority_number?: string;
            /** @description Registered address. */
            legal_registration_address?: components["schemas"]["Address"];
        };
        /** @description A postal address. Gateway assumption: all fields optional. */
        Address: {
            /** @description Street and number. */
            street_address?: string;
            /** @description Additional address line. */
            street_address2?: string;
            /** @description Postal code. */
            postal_code?: string;
            /** @description City. */
            city?: string;
            /** @description Region, state or province. */
            region?: string;
            /** @description Country (ISO 3166-1 alpha-2). */
            country?: components["schemas"]["Country"];
        };
        /** @description A person with a stake in or control over the business entity. */
        Stakeholder: {
            /** @description Given name. */
            given_name?: string;
            /** @description Family name. */
            family_name?: string;
            /** @description Residential address. */
            address?: components["schemas"]["Address"];
            /**
             * Format: date
             * @description Date of birth (YYYY-MM-DD).
             */
            date_of_birth?: string;
            /** @description National identification of the stakeholder. */
            national_identification?: components["schemas"]["NationalIdentification"];
            /** @description Roles of the stakeholder. Gateway assumption: known values OWNER, DIRECTOR, BENEFICIAL_OWNER, AUTHORIZED_SIGNATORY, LEGAL_REPRESENTATIVE. */
            roles?: string[];
        };
        /** @description A national identification number. */
        NationalIdentification: {
            /** @description The identification number. */
            number?: string;
            /** @description Issuing country (ISO 3166-1 alpha-2). */
            country?: components["schemas"]["Country"];
        };
        /** @description Payout state of the partner at the distribution partner. */
        PartnerPayoutsState: {
            /** @description Payout status. Gateway assumption: known values ENABLED, DISABLED, PENDING. */
            payouts_status?: string;
            /**
             * Format: date-time
             * @description When payouts were enabled.
             */
            payouts_enabled_at?: string;
            /**
             * Format: int32
             * @description Payout delay in days.
             */
            payouts_delay_days?: number;
            /** @description Payout bank accounts. */
            bank_accounts?: components["schemas"]["BankAccount"][];
        };
        /** @description A payout bank account. */
        BankAccount: {
            /** @description Account number type. Gateway assumption: known values IBAN, LOCAL. */
            bank_account_type?: string;
            /** @description Name of the account holder. */
            account_holder?: string;
            /** @description BIC of the bank. */
            bic?: string;
            /** @description IBAN of the account. */
            iban?: string;
        };
        /** @description A brand in an onboard or migrate request; store groups link to it by brand_reference. */
        BrandData: {
            /** @description Brand name shown to consumers. */
            display_name: string;
            /** @description Reference of the brand, so Klarna ids need not be tracked. */
            brand_reference: string;
            /** @description The branding assets. */
            element?: components["schemas"]["BrandElement"];
        };
        /** @description A brand of a partner account. */
        Brand: {
            /** @description Brand KRN, e.g. krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613. */
            brand_id: string;
            /** @description Brand name shown to consumers. */
            display_name: string;
            /** @description Reference of the brand. */
            brand_reference: string;
            /** @description The branding assets. */
            element?: components["schemas"]["BrandElement"];
        };
        /** @description Branding assets. Gateway assumption: each URL optional and absolute (with scheme); an invalid logo_url triggers the informational partner.account.brand.data-incomplete event at Klarna. */
        BrandElement: {
            /**
             * Format: uri
             * @description URL of the logo.
             */
            logo_url?: string;
            /**
             * Format: uri
             * @description URL of the icon.
             */
            icon_url?: string;
            /**
             * Format: uri
             * @description URL of the feature image.
             */
            feature_image_url?: string;
        };
        /** @description Body of updateBrand (display_name and brand_reference required, so a full replacement). */
        BrandUpdateRequest: {
            /** @description Brand name shown to consumers. */
            display_name: string;
            /** @description Reference of the brand. */
            brand_reference: string;
            /** @description The branding assets. */
            element?: components["schemas"]["BrandElement"];
        };
        /** @description A page of brands. Collapsed in the r6 text; Gateway assumption: shaped like the partner business entity list. */
        BrandList: {
            /** @description The brands in this page. */
            brands: components["schemas"]["Brand"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /**
         * @description Store type. Documented values WEBSITE, PHYSICAL_STORE and MOBILE_APP; r6 supports websites only, and the sandbox accepts only WEBSITE in its strict mode.
         * @enum {string}
         */
        StoreType: "WEBSITE" | "PHYSICAL_STORE" | "MOBILE_APP";
        /** @description A store in a request (onboard, migrate, updateStoreGroup). */
        StoreData: {
            /** @description Type of the store. */
            type: components["schemas"]["StoreType"];
            /** @description Reference assigned by the partner to the store (up to 80 characters). */
            store_reference: string;
            /**
             * Format: uri
             * @description The applicable base domain URL of the website. Gateway assumption: an absolute URL including the scheme.
             */
            url: string;
        };
        /** @description A store of a partner account. */
        Store: {
            /** @description Store KRN, e.g. krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613. */
            store_id: string;
            /** @description Store type. Known values: WEBSITE, PHYSICAL_STORE, MOBILE_APP. */
            type: string;
            /** @description Reference assigned by the partner to the store. */
            store_reference: string;
            /** @description Base domain URL of the website. */
            url?: string;
            /** @description Gateway assumption: KRN of the store group the store belongs to. */
            store_group_id?: string;
        };
        /** @description Body of updateStore (all fields required, so a full replacement). */
        StoreUpdateRequest: {
            /** @description Type of the store. */
            type: components["schemas"]["StoreType"];
            /** @description Reference assigned by the partner to the store (up to 80 characters). */
            store_reference: string;
            /**
             * Format: uri
             * @description The applicable base domain URL of the website. Gateway assumption: an absolute URL including the scheme.
             */
            url: string;
        };
        /** @description A page of stores. Collapsed in the r6 text; Gateway assumption: shaped like the partner business entity list. */
        StoreList: {
            /** @description The stores in this page. */
            stores: components["schemas"]["Store"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /** @description Customer support contact points of a store group; email, phone and contact_form are validated. Gateway assumption: each field optional. */
        SupportContact: {
            /**
             * Format: email
             * @description Support email address.
             */
            email?: string;
            /** @description Support phone number. */
            phone?: string;
            /**
             * Format: uri
             * @description URL of the support contact form.
             */
            contact_form?: string;
        };
        /**
         * @description Social media provider (an enum in r6 whose values are not listed; FACEBOOK and INSTAGRAM are seen in samples). Gateway assumption: this list.
         * @enum {string}
         */
        SocialMediaProvider: "FACEBOOK" | "INSTAGRAM" | "X" | "TWITTER" | "TIKTOK" | "YOUTUBE" | "LINKEDIN" | "PINTEREST" | "SNAPCHAT" | "OTHER";
        /** @description A social media link in a request. */
        SocialMediaLink: {
            /** @description The social media provider. */
            provider: components["schemas"]["SocialMediaProvider"];
            /**
             * Format: uri
             * @description URL of the profile.
             */
            url: string;
        };
        /** @description A social media link in a response (provider left open). */
        SocialMediaLinkInfo: {
            /** @description Social media provider. Known values: FACEBOOK, INSTAGRAM, X, TWITTER, TIKTOK, YOUTUBE, LINKEDIN, PINTEREST, SNAPCHAT, OTHER. */
            provider: string;
            /** @description URL of the profile. */
            url: string;
        };
        /** @description A store group in an onboard or migrate request. */
        StoreGroupData: {
            /** @description Reference of the store group; payment accounts link to it as default_store_group_reference. */
            store_group_reference: string;
            /** @description Reference of the brand (in the same request) the store group uses; each store group links to exactly one brand. */
            brand_reference?: string;
            /** @description Customer support contact points. */
            support_contact?: components["schemas"]["SupportContact"];
            /** @description Social media links. */
            social_media_links?: components["schemas"]["SocialMediaLink"][];
            /** @description Stores of the group. Gateway assumption: at least one (a store group has 1..n stores). */
            stores: components["schemas"]["StoreData"][];
        };
        /** @description A store group of a partner account. */
        StoreGroup: {
            /** @description Store group KRN, e.g. krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613 (Gateway assumption: field name). */
            store_group_id: string;
            /** @description Reference of the store group. */
            store_group_reference: string;
            /** @description Gateway assumption: KRN of the brand the group uses. */
            brand_id?: string;
            /** @description Reference of the brand the group uses. */
            brand_reference?: string;
            /** @description Customer support contact points. */
            support_contact?: components["schemas"]["SupportContact"];
            /** @description Social media links. */
            social_media_links?: components["schemas"]["SocialMediaLinkInfo"][];
            /** @description Stores of the group. */
            stores?: components["schemas"]["Store"][];
        };
        /** @description Body of updateStoreGroup. */
        StoreGroupUpdateRequest: {
            /** @description Reference of the store group. */
            store_group_reference: string;
            /** @description Customer support contact points. */
            support_contact?: components["schemas"]["SupportContact"];
            /** @description Social media links. */
            social_media_links?: components["schemas"]["SocialMediaLink"][];
            /** @description The complete list of the group's stores. Gateway assumption: at least one; replaces the current list, matched by store_reference. */
            stores: components["schemas"]["StoreData"][];
        };
        /** @description A page of store groups. Collapsed in the r6 text; Gateway assumption: shaped like the partner business entity list. */
        StoreGroupList: {
            /** @description The store groups in this page. */
            store_groups: components["schemas"]["StoreGroup"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /** @description Payment product KRN, e.g. krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918. */
        PaymentProductId: string;
        /** @description A payment product KRN, or the literal `default` for the account's unique payment product. */
        PaymentProductIdOrDefault: "default" | components["schemas"]["PaymentProductId"];
        /** @description A payment product in an onboard request. Gateway assumption: all fields required and at least one payment account. */
        PaymentProductRequestData: {
            /**
             * @description Product type; PAYMENT.
             * @enum {string}
             */
            type: "PAYMENT";
            /** @description KRN of the payment profile (from listPaymentProfiles) to attach. */
            payment_profile_id: string;
            /** @description Payment accounts of the product. */
            payment_accounts: components["schemas"]["PaymentAccountRequestData"][];
        };
        /** @description A payment product in a migrate request. Not described in the r6 text; Gateway assumption: PaymentProductRequestData plus an optional legacy merchant_id. */
        PaymentProductMigrationData: {
            /**
             * @description Product type; PAYMENT.
             * @enum {string}
             */
            type: "PAYMENT";
            /** @description KRN of the payment profile to attach. */
            payment_profile_id: string;
            /** @description Payment accounts of the product. */
            payment_accounts: components["schemas"]["PaymentAccountRequestData"][];
            /** @description Gateway assumption: identifier (MID) of the existing Klarna Payments merchant, to link its history. */
            merchant_id?: string;
        };
        /** @description A payment account in an onboard or migrate request; links business entity and store group by reference. Gateway assumption: all fields required. */
        PaymentAccountRequestData: {
            /** @description KRN of the acquirer's payment acquiring account. */
            payment_acquiring_account_id: string;
            /** @description Reference of the payment account, unique per acquirer. */
            payment_account_reference: string;
            /** @description Must match a partner_business_entity_reference in the same request. */
            partner_business_entity_reference: string;
            /** @description Must match a store_group_reference in the same request. */
            default_store_group_reference: string;
            /** @description Default MCC of the payment account. */
            default_merchant_category_code: components["schemas"]["MerchantCategoryCode"];
        };
        /** @description A payment product of a partner account. */
        PaymentProduct: {
            /** @description Identifier of the product. */
            product_id: components["schemas"]["PaymentProductId"];
            /** @description Product type. Known values: PAYMENT. */
            type?: string;
            /** @description KRN of the attached payment profile. */
            payment_profile_id?: string;
            /** @description Payment accounts of the product. */
            payment_accounts?: components["schemas"]["PaymentAccount"][];
            /** @description Product state. Known values: ENABLED, DISABLED (re-enable possible), TERMINATED (by Klarna; only Klarna can re-activate). */
            state: string;
            /** @description Why the product is in its state. Known values: APPROVED, FRAUD_BY_PARTNER. Gateway assumption: also VOLUNTARY_BY_PARTNER, DISABLED_BY_KLARNA, TERMINATED_BY_KLARNA, COMPLIANCE_DECISION. */
            state_reason?: string;
            /** @description Context of a disable or termination. */
            state_context?: components["schemas"]["PaymentProductStateContext"];
        };
        /** @description Context of a product state change, present when disabled or terminated. Collapsed in the r6 text; Gateway assumption: these fields. */
        PaymentProductStateContext: {
            /** @description Disable reason. Known values: FRAUD, VOLUNTARY. */
            reason?: string;
            /** @description Details given with the disable request. */
            reason_details?: string;
            /** @description KRN of the compliance decision, when the change was initiated by Klarna. */
            decision_id?: string;
            /**
             * Format: date-time
             * @description When the state changed.
             */
            updated_at?: string;
        };
        /** @description Body of disablePaymentProduct. */
        PaymentProductDisableRequest: {
            /**
             * @description The reason for disabling the payment product (strictly validated).
             * @enum {string}
             */
            reason: "FRAUD" | "VOLUNTARY";
            /** @description Additional information about the disabling (at most 500 characters). */
            reason_details: string;
        };
        /** @description A payment account of a payment product. */
        PaymentAccount: {
            /** @description Payment account KRN, e.g. krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b. */
            payment_account_id: string;
            /** @description Known values: ENABLED, DISABLED (mirrors the product state; not directly settable). */
            status?: string;
            /** @description Reference of the payment account. */
            payment_account_reference?: string;
            /** @description Default MCC of the payment account. */
            default_merchant_category_code?: string;
            /** @description KRN of the business entity the account belongs to. */
            partner_business_entity_id?: string;
            /** @description KRN of the acquirer's payment acquiring account. */
            payment_acquiring_account_id?: string;
            /** @description Gateway assumption: KRN of the default store group. */
            default_store_group_id?: string;
        };
        /** @description Body of updatePaymentAccount; absent fields are unchanged. */
        PaymentAccountUpdateRequest: {
            /** @description New reference of the payment account. */
            payment_account_reference?: string;
            /** @description New default MCC. */
            default_merchant_category_code?: components["schemas"]["MerchantCategoryCode"];
        };
        /** @description A settlement of a payment acquiring account over a period. */
        Settlement: {
            /** @description Settlement KRN, e.g. krn:partner:eu1:settlement:live:113574395. */
            settlement_id: string;
            /** @description KRN of the settled payment acquiring account. */
            payment_acquiring_account_id: string;
            /** @description Reference of the payment acquiring account. */
            payment_acquiring_account_reference?: string;
            /**
             * Format: date-time
             * @description When the settlement was created.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description Start of the settled period.
             */
            period_from: string;
            /**
             * Format: date-time
             * @description End of the settled period.
             */
            period_to: string;
            /**
             * Format: int64
             * @description Net settled amount, signed, minor units.
             */
            settlement_amount: number;
            /** @description Currency of the settlement (ISO 4217); each currency is settled separately. */
            currency: string;
            /** @description Totals per amount category. */
            totals?: components["schemas"]["SettlementTotals"];
        };
        /** @description Totals of a settlement per category, signed minor units. Collapsed in the r6 text; Gateway assumption: the amount columns of the CSV summary row. */
        SettlementTotals: {
            /**
             * Format: int64
             * @description Sum of captures.
             */
            capture_amount?: number;
            /**
             * Format: int64
             * @description Sum of refunds.
             */
            refund_amount?: number;
            /**
             * Format: int64
             * @description Sum of fixed capture fees.
             */
            capture_fixed_fee_amount?: number;
            /**
             * Format: int64
             * @description Sum of variable capture fees.
             */
            capture_variable_fee_amount?: number;
            /**
             * Format: int64
             * @description Sum of dispute fees.
             */
            dispute_fee_amount?: number;
            /**
             * Format: int64
             * @description Sum of fee corrections.
             */
            fee_correction_amount?: number;
            /**
             * Format: int64
             * @description Sum of chargebacks.
             */
            chargeback_amount?: number;
            /**
             * Format: int64
             * @description Sum of chargeback corrections.
             */
            correction_chargeback_amount?: number;
            /**
             * Format: int64
             * @description Sum of taxes on fees.
             */
            tax_amount?: number;
            /**
             * Format: int64
             * @description Amount held back.
             */
            holdback_amount?: number;
            /**
             * Format: int64
             * @description Previously held amount released.
             */
            release_amount?: number;
            /**
             * Format: int64
             * @description Debt balance at the start of the period.
             */
            opening_debt_balance?: number;
            /**
             * Format: int64
             * @description Deposits made.
             */
            deposit_amount?: number;
            /**
             * Format: int64
             * @description Debt repaid.
             */
            repay_amount?: number;
            /**
             * Format: int64
             * @description Debt balance at the end of the period.
             */
            closing_debt_balance?: number;
        };
        /** @description One transaction line of a settlement. Collapsed in the r6 text; Gateway assumption: the columns of the CSV transaction section, with empty cells as null or absent. */
        SettlementTransaction: {
            /** @description Transaction type. Known values: SALE, FEE, REFUND, CHARGEBACK, FEE_CORRECTION. */
            type: string;
            /** @description Detailed type. Known values: CAPTURE, CAPTURE_FIXED_FEE, PAYMENT_VARIABLE_FEE, DISPUTE_FEE, REFUND, CHARGEBACK, CUSTOMER_PAYMENT_DEFAULT, CORRECTION_PAYMENT_VARIABLE_FEE. Gateway assumption: also HOLDBACK, RELEASE, DEPOSIT, REPAY, CORRECTION_CHARGEBACK, CORRECTION_CAPTURE_FIXED_FEE. */
            detailed_type: string;
            /**
             * Format: date-time
             * @description When the transaction was booked.
             */
            created_at: string;
            /**
             * Format: int64
             * @description Signed amount, minor units (credits positive, debits negative).
             */
            transaction_amount: number;
            /** @description Currency of the amount (ISO 4217). */
            transaction_currency: string;
            /** @description KRN of the payment account. */
            payment_account_id?: string | null;
            /** @description Reference of the payment account. */
            payment_account_reference?: string | null;
            /** @description KRN of the payment product. */
            product_id?: string | null;
            /** @description KRN of the payment transaction. */
            payment_transaction_id?: string | null;
            /**
             * Format: date-time
             * @description When the payment transaction was created.
             */
            payment_transaction_created_at?: string | null;
            /** @description Partner reference of the payment transaction. */
            payment_transaction_reference?: string | null;
            /** @description KRN of the capture. */
            payment_capture_id?: string | null;
            /** @description Partner reference of the capture. */
            payment_capture_reference?: string | null;
            /** @description KRN of the refund. */
            payment_refund_id?: string | null;
            /** @description Partner reference of the refund. */
            payment_refund_reference?: string | null;
            /** @description KRN of the dispute. */
            payment_dispute_id?: string | null;
            /** @description KRN of the chargeback. */
            payment_chargeback_id?: string | null;
            /**
             * Format: int64
             * @description Tax on a fee line, signed minor units (deducted in addition to the fee).
             */
            tax_amount?: number | null;
            /**
             * Format: int64
             * @description Tax rate, percentage in minor units (1900 = 19 %).
             */
            tax_rate?: number | null;
            /**
             * Format: int64
             * @description Transaction fee applied, signed minor units.
             */
            applied_transaction_fee?: number | null;
            /**
             * Format: int64
             * @description Cross-border fee applied, signed minor units.
             */
            applied_cross_border_fee?: number | null;
            /**
             * Format: int64
             * @description Buy-rate incentives applied, minor units.
             */
            applied_buy_rate_incentives?: number | null;
            /**
             * Format: int64
             * @description Sell-rate incentives applied, minor units.
             */
            applied_sell_rate_incentives?: number | null;
            /** @description KRN of the price plan used. */
            price_plan_id?: string | null;
            /** @description KRN of the payment program used. */
            payment_program_id?: string | null;
            /** @description MCC of the transaction. */
            merchant_category_code?: string | null;
        };
        /** @description A page of settlement transactions. */
        SettlementTransactionList: {
            /** @description The transactions in this page. */
            transactions: components["schemas"]["SettlementTransaction"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /** @description Status of the latest payout attempt of a settlement. */
        PayoutStatus: {
            /** @description Payout KRN, e.g. krn:partner:eu1:settlement:live:123456789:payouts:1. */
            payout_id: string;
            /**
             * Format: date-time
             * @description When the payout was made; null while not paid out.
             */
            paid_out_at?: string | null;
            /**
             * Format: int64
             * @description Paid-out amount, minor units.
             */
            payout_amount?: number;
            /** @description Currency of the payout (ISO 4217). */
            currency?: string;
            /** @description Payout status. Known values: PROCESSED. Gateway assumption: also PENDING, IN_PROGRESS, FAILED, RETURNED. */
            status: string;
            /** @description Reference of the receiving bank account. */
            payout_bank_account_reference?: string;
            /** @description Payment reference shown on the bank transfer. */
            payment_reference?: string;
        };
        /** @description A compliance decision taken by Klarna on an account. */
        ComplianceDecision: {
            /** @description Decision KRN, e.g. krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291. */
            decision_id: string;
            /** @description Decision type (open list: Klarna will add values). Known values: FRAUDULENT_BEHAVIOUR, NON_COMPLIANT, PROHIBITED_OR_RESTRICTED_SEGMENT, OTHER_RISK. */
            decision_type: string;
            /** @description KRN of the account the decision concerns. */
            partner_account_id: string;
            /** @description KRN of the product the decision concerns, if any. */
            product_instance_id?: string | null;
            /**
             * Format: date-time
             * @description When the decision was taken.
             */
            created_at: string;
        };
        /** @description A page of compliance decisions. */
        ComplianceDecisionList: {
            /** @description The decisions in this page. */
            decisions: components["schemas"]["ComplianceDecision"][];
            /** @description Pagination of the list. */
            pagination: components["schemas"]["Pagination"];
        };
        /** @description Body of grantPortalUserAccess. */
        PortalUserAccessRequest: {
            /** @description Signed JWT, signed with the partner's private key and the signing certificate in the x5c header. Claims: iss (requesting partner account id), jti (unique token id), sub (user email), iat and exp (epoch seconds), account_id (account to give access to), roles (e.g. ["merchant:admin","merchant:developer"]), optional expires_at (future YYYY-MM-DD), optional inactivity_grace_period (ISO 8601 duration, 1 day to 6 months). Gateway assumption: the schema checks the compact JWS form only; claims are checked by the sandbox. */
            jwt: string;
        };
        /**
         * @description Event types of this API delivered as webhooks. Gateway assumption: compliance.decision.created is our name for the "Compliance decision created" callback.
         * @enum {string}
         */
        WebhookEventType: "partner.account.state-change.operational" | "partner.account.product.payment.state-change.disabled" | "partner.account.product.payment.state-change.enabled" | "settlement.report.created" | "compliance.decision.created";
        /** @description Metadata of a webhook event. */
        WebhookMetadata: {
            /** @description Unique id of the event; redeliveries repeat it, so use it to deduplicate. */
            event_id: string;
            /** @description Event type (open; see WebhookEventType for the known values). */
            event_type: string;
            /** @description Version of the event payload. Known values: v1, v2 (v2 = current product state-change payload with state_context). */
            event_version: string;
            /**
             * Format: date-time
             * @description When the event occurred.
             */
            occurred_at: string;
            /** @description Correlation id of the request that caused the event, if any. */
            correlation_id?: string;
            /** @description KRN of the partner account the event is about. */
            subject_account_id: string;
            /** @description KRN of the account receiving the webhook (e.g. the acquirer). */
            recipient_account_id: string;
            /** @description KRN of the product the event is about; absent for account-level events. */
            product_instance_id?: string;
            /** @description KRN of the webhook subscription that delivered the event. */
            webhook_id: string;
            /** @description True for production events, false for test events. */
            live: boolean;
        };
        /** @description Envelope of every webhook request body, signed with HMAC-SHA256 over the raw body (Klarna-Signature header). */
        WebhookEvent: {
            /** @description Event metadata. */
            metadata: components["schemas"]["WebhookMetadata"];
            /** @description Event-type specific payload. */
            payload: Record<string, never>;
        };
        /** @description Payload of partner.account.state-change.operational. Gateway assumption: these fields. */
        AccountStateChangedPayload: {
            /** @description KRN of the account. */
            partner_account_id: string;
            /** @description Reference of the account. */
            partner_account_reference?: string;
            /** @description New account state. Known values: OPERATIONAL, PARTIALLY_OPERATIONAL, DISABLED. */
            state: string;
            /** @description Reason of the new state. Known values: SETUP_COMPLETE, INITIAL_SETUP, ACCOUNT_UPDATE. */
            state_reason?: string;
            /** @description Previous account state. Known values: PARTIALLY_OPERATIONAL, OPERATIONAL, DISABLED. */
            previous_state?: string;
        };
        /** @description Payload of the payment product state-change events. Gateway assumption: these fields; the deprecated v1 event omits state_context. */
        PaymentProductStateChangedPayload: {
            /** @description KRN of the account. */
            partner_account_id: string;
            /** @description KRN of the payment product. */
            product_id: string;
            /** @description New product state. Known values: ENABLED, DISABLED, TERMINATED. */
            state: string;
            /** @description Reason of the new state. Known values: APPROVED, FRAUD_BY_PARTNER, VOLUNTARY_BY_PARTNER, DISABLED_BY_KLARNA, TERMINATED_BY_KLARNA, COMPLIANCE_DECISION. */
            state_reason?: string;
            /** @description Context of a disable or termination (with decision_id when Klarna-initiated). */
            state_context?: components["schemas"]["PaymentProductStateContext"];
        };
        /** @description Payload of settlement.report.created, linking to the reports. Gateway assumption: these fields. */
        SettlementReportCreatedPayload: {
            /** @description KRN of the settlement. */
            settlement_id: string;
            /** @description KRN of the settled payment acquiring account. */
            payment_acquiring_account_id?: string;
            /** @description Currency of the settlement (ISO 4217). */
            currency?: string;
            /**
             * Format: date-time
             * @description When the settlement was created.
             */
            created_at?: string;
            /** @description Links to the settlement reports. */
            links: {
                /** @description The settlement (getSettlement). */
                settlement?: components["schemas"]["Link"];
                /** @description Its transactions (listSettlementTransactions). */
                transactions?: components["schemas"]["Link"];
                /** @description The CSV report (getSettlementCsv). */
                csv?: components["schemas"]["Link"];
            };
        };
        /** @description Payload of compliance.decision.created; the new ComplianceDecision. */
        ComplianceDecisionCreatedPayload: components["schemas"]["ComplianceDecision"];
        /** @description Request body of the partner.account.state-change.operational webhook. */
        AccountStateChangedEvent: {
            /** @description Event metadata (account-level, no product_instance_id). */
            metadata: components["schemas"]["WebhookMetadata"] & {
                /**
                 * @description The event type.
                 * @constant
                 */
                event_type?: "partner.account.state-change.operational";
            };
            /** @description The account state change. */
            payload: components["schemas"]["AccountStateChangedPayload"];
        };
        /** @description Request body of the partner.account.product.payment.state-change.disabled webhook. */
        PaymentProductDisabledEvent: {
            /** @description Event metadata; product_instance_id is the product_id. */
            metadata: components["schemas"]["WebhookMetadata"] & {
                /**
                 * @description The event type.
                 * @constant
                 */
                event_type?: "partner.account.product.payment.state-change.disabled";
            };
            /** @description The product state change (state DISABLED or TERMINATED). */
            payload: components["schemas"]["PaymentProductStateChangedPayload"];
        };
        /** @description Request body of the partner.account.product.payment.state-change.enabled webhook. */
        PaymentProductEnabledEvent: {
            /** @description Event metadata; product_instance_id is the product_id. */
            metadata: components["schemas"]["WebhookMetadata"] & {
                /**
                 * @description The event type.
                 * @constant
                 */
                event_type?: "partner.account.product.payment.state-change.enabled";
            };
            /** @description The product state change (state ENABLED). */
            payload: components["schemas"]["PaymentProductStateChangedPayload"];
        };
        /** @description Request body of the settlement.report.created webhook. */
        SettlementReportCreatedEvent: {
            /** @description Event metadata. */
            metadata: components["schemas"]["WebhookMetadata"] & {
                /**
                 * @description The event type.
                 * @constant
                 */
                event_type?: "settlement.report.created";
            };
            /** @description The new settlement and links to its reports. */
            payload: components["schemas"]["SettlementReportCreatedPayload"];
        };
        /** @description Request body of the compliance.decision.created webhook. */
        ComplianceDecisionCreatedEvent: {
            /** @description Event metadata. */
            metadata: components["schemas"]["WebhookMetadata"] & {
                /**
                 * @description The event type.
                 * @constant
                 */
                event_type?: "compliance.decision.created";
            };
            /** @description The new compliance decision. */
            payload: components["schemas"]["ComplianceDecisionCreatedPayload"];
        };
    };
    responses: {
        /** @description Bad Request; there was an error in the input of the request. The request cannot be retried without modifications. */
        BadRequest: {
            headers: {
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "5a3f6b9c-9b3b-4b7e-8f9d-9b9a4b9a4b9a",
                 *       "error_type": "INPUT_ERROR",
                 *       "error_code": "INVALID_CONTENT_TYPE",
                 *       "error_message": "The received input is not valid JSON.\nUnterminated string at 19 [character 20 line 1].\n"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Unauthorized; the request was not authorized. */
        Unauthorized: {
            headers: {
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "0e2f7a1c-4b5d-4c6e-8f90-1a2b3c4d5e6f",
                 *       "error_type": "ACCESS_ERROR",
                 *       "error_code": "UNAUTHORIZED",
                 *       "error_message": "The presented credentials failed authentication"
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Forbidden; the operation is not allowed in the resource's current state (e.g. enabling a TERMINATED payment product). Gateway assumption: r6 documents no 403; the sandbox answers 403 with RESOURCE_ERROR/OPERATION_FORBIDDEN. */
        OperationForbidden: {
            headers: {
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a",
                 *       "error_type": "RESOURCE_ERROR",
                 *       "error_code": "OPERATION_FORBIDDEN",
                 *       "error_message": "A terminated payment product can only be re-activated by Klarna."
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Not Found; the requested resource was not found. */
        NotFound: {
            headers: {
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "4d6f8b0c-2e3a-4b5c-8d7e-9f0a1b2c3d4e",
                 *       "error_type": "RESOURCE_ERROR",
                 *       "error_code": "RESOURCE_NOT_FOUND",
                 *       "error_message": "The requested resource was not found."
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Too Many Requests; the request was rate limited. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "6f8a0b1c-3d4e-4f5a-9b6c-7d8e9f0a1b2c",
                 *       "error_type": "ACCESS_ERROR",
                 *       "error_code": "RATE_LIMITED",
                 *       "error_message": "Too many requests, retry later."
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Internal Server Error; there was an unexpected error in the API. */
        InternalError: {
            headers: {
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "8a0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                 *       "error_type": "TECHNICAL_ERROR",
                 *       "error_code": "INTERNAL_ERROR",
                 *       "error_message": "An unexpected error occurred."
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Service Temporarily Unavailable; the system is temporarily unable to process the request. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
                 *       "error_type": "TECHNICAL_ERROR",
                 *       "error_code": "SERVICE_UNAVAILABLE",
                 *       "error_message": "The service is temporarily unavailable."
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
    };
    parameters: {
        /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
        KlarnaIntegrationMetadata: string;
        /**
         * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
         * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
         */
        KlarnaIdempotencyKey: string;
        /**
         * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
         * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
         */
        PartnerCorrelationId: string;
        /**
         * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
         * @example krn:partner:global:account:live:LWT2XJSE
         */
        KlarnaPartnerAccount: components["schemas"]["PartnerAccountId"];
        /**
         * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
         * @example 20
         */
        PageSize: number;
        /**
         * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
         * @example Zpq6F3mDYtwK8
         */
        StartingAfter: string;
        /**
         * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
         * @example Zpq6F3mDYtwK8
         */
        EndingBefore: string;
        /**
         * @description Identifier of the Credential (validated against the credential KRN pattern).
         * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
         */
        CredentialIdPath: components["schemas"]["CredentialId"];
        /**
         * @description Identifier of the Partner Account the action is done on behalf of.
         * @example krn:partner:global:account:live:LWT2XJSE
         */
        PartnerAccountIdPath: components["schemas"]["PartnerAccountId"];
        /**
         * @description Identifier of the Partner Business Entity.
         * @example krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58
         */
        PartnerBusinessEntityIdPath: string;
        /**
         * @description Identifier of the Brand.
         * @example krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613
         */
        BrandIdPath: string;
        /**
         * @description Identifier of the Store.
         * @example krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613
         */
        StoreIdPath: string;
        /**
         * @description Identifier of the Store Group.
         * @example krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613
         */
        StoreGroupIdPath: string;
        /**
         * @description Identifier of the Payment Product, or the literal `default` to act on the account's unique payment product.
         * @example default
         */
        ProductIdPath: components["schemas"]["PaymentProductIdOrDefault"];
        /**
         * @description Identifier of the Payment Account.
         * @example krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b
         */
        PaymentAccountIdPath: string;
        /**
         * @description Identifier of the requested Price Plan.
         * @example krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf
         */
        PricePlanIdPath: string;
        /**
         * @description The unique identifier of a settlement.
         * @example krn:partner:eu1:settlement:live:113574395
         */
        SettlementIdPath: string;
        /**
         * @description Identifier of the compliance decision.
         * @example krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291
         */
        DecisionIdPath: string;
        /**
         * @description Webhook signature: HMAC-SHA256 of the raw request body with the signing key named by Klarna-Signing-Key-Id. Gateway assumption: lower-case hex, no prefix, no timestamp component.
         * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
         */
        KlarnaSignature: string;
        /**
         * @description Identifier of the signing key used for Klarna-Signature (some Klarna SDKs spell it Klarna-Signing-Key-ID; header names are case-insensitive).
         * @example krn:partner:global:notification:signing-key:2d5e8f1a-3b4c-4d6e-9f0a-1b2c3d4e5f6a
         */
        KlarnaSigningKeyId: string;
    };
    requestBodies: never;
    headers: {
        /** @description The Partner-Correlation-Id of the request, echoed back. Gateway assumption: also sent on error responses. */
        PartnerCorrelationId: string;
        /** @description Seconds to wait before retrying. Gateway assumption: sent on 429 and 503. */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listApiKeys: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credentials found. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credentials": [
                     *         {
                     *           "credential_id": "krn:partner:global:test:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *           "status": "ENABLED",
                     *           "description": "Test API Credentials",
                     *           "type": "API",
                     *           "environment": "TEST"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["CredentialList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description Description of the new API key. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Production API Credentials"
                 *     }
                 */
                "application/json": components["schemas"]["CredentialCreateRequest"];
            };
        };
        responses: {
            /** @description Credential created. */
            201: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "description": "Production API Credentials",
                     *       "type": "API",
                     *       "environment": "LIVE",
                     *       "secret": {
                     *         "secret": "klarna_live_api_EXAMPLE0nly0N0tAReal5ecret"
                     *       },
                     *       "status": "ENABLED"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getApiKey: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credential details. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:test:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "status": "ENABLED",
                     *       "description": "Test API Credentials",
                     *       "type": "API",
                     *       "environment": "TEST"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    disableApiKey: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credential deactivated with success. */
            204: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateApiKey: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        /** @description New description of the credential. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Test API Credentials"
                 *     }
                 */
                "application/json": components["schemas"]["CredentialUpdateRequest"];
            };
        };
        responses: {
            /** @description Credential was updated successfully. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "status": "ENABLED",
                     *       "description": "Test API Credentials",
                     *       "type": "API",
                     *       "environment": "TEST"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listClientIdentifiers: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credentials found. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credentials": [
                     *         {
                     *           "credential_id": "krn:partner:global:test:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *           "identity": {
                     *             "client_id": "klarna_test_client_EXAMPLE0nlyClient1d"
                     *           },
                     *           "status": "ENABLED",
                     *           "description": "Test Client ID credential",
                     *           "type": "CLIENT",
                     *           "environment": "TEST"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["CredentialList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    createClientIdentifier: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description Description of the new client identifier. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Production Client Identifier"
                 *     }
                 */
                "application/json": components["schemas"]["CredentialCreateRequest"];
            };
        };
        responses: {
            /** @description Credential created. */
            201: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:live:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "identity": {
                     *         "client_id": "klarna_live_client_EXAMPLE0nlyClient1d"
                     *       },
                     *       "status": "ENABLED",
                     *       "description": "Production Client Identifier",
                     *       "type": "CLIENT",
                     *       "environment": "LIVE"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getClientIdentifier: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credential details. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:test:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "identity": {
                     *         "client_id": "klarna_test_client_EXAMPLE0nlyClient1d"
                     *       },
                     *       "status": "ENABLED",
                     *       "description": "Test Client ID credential",
                     *       "type": "CLIENT",
                     *       "environment": "TEST"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    disableClientIdentifier: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Credential deactivated with success. */
            204: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateClientIdentifier: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        /** @description New description of the credential. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Test API Credentials"
                 *     }
                 */
                "application/json": components["schemas"]["CredentialUpdateRequest"];
            };
        };
        responses: {
            /** @description Credential was updated successfully. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:test:credential:client:120e5b7e-dee8-43ca-9858-dca726e639b5",
                     *       "identity": {
                     *         "client_id": "klarna_test_client_EXAMPLE0nlyClient1d"
                     *       },
                     *       "status": "ENABLED",
                     *       "description": "Test Client ID credential",
                     *       "type": "CLIENT",
                     *       "environment": "TEST"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    revokeClientCertificate: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Credential (validated against the credential KRN pattern).
                 * @example krn:partner:global:live:credential:api:120e5b7e-dee8-43ca-9858-dca726e639b5
                 */
                credential_id: components["parameters"]["CredentialIdPath"];
            };
            cookie?: never;
        };
        /** @description When the revocation takes effect. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "revoked_from": "2021-12-31T23:59:59Z"
                 *     }
                 */
                "application/json": components["schemas"]["ClientCertificateRevokeRequest"];
            };
        };
        responses: {
            /** @description Client certificate revoked. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "credential_id": "krn:partner:global:live:credential:client_cert:2C8A1053F979D1E8C96A3A9357AE7D1E",
                     *       "description": "Live client certificate",
                     *       "type": "CLIENT_CERT",
                     *       "environment": "LIVE",
                     *       "identity": {
                     *         "subject": "CN=partner.example.com",
                     *         "serial_number": "2C8A1053F979D1E8C96A3A9357AE7D1E"
                     *       },
                     *       "config": {
                     *         "usage": "MTLS",
                     *         "revoked_from": "2021-12-31T23:59:59Z"
                     *       },
                     *       "status": "DISABLED"
                     *     }
                     */
                    "application/json": components["schemas"]["Credential"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listPaymentProfiles: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List of Payment Profiles (a top-level JSON array, not paginated). */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *         "price_plan_id": "krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf",
                     *         "payment_program_plan_id": "krn:network:global:all:payment:payment-program-plan:5cd46f7e-573d-4b02-bab8-1f1c0e343291"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["PaymentProfile"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    onboardPartner: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description The merchant to onboard. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "partner_account_reference": "M123786123412",
                 *       "partner_account_name": "John Doe Stakehouse",
                 *       "partner_account_contact": {
                 *         "given_name": "John",
                 *         "family_name": "Doe",
                 *         "email": "john.doe@example.com",
                 *         "phone": "+18445527621"
                 *       },
                 *       "partner_business_entities": [
                 *         {
                 *           "partner_business_entity_reference": "business_entity_1",
                 *           "legal_registered_entity_name": "Legal Entity LLC",
                 *           "legal_registration_country": "US",
                 *           "enabled_merchant_category_codes": [
                 *             "5411"
                 *           ],
                 *           "supplementary_business_data": {
                 *             "legal_registration": {
                 *               "legal_registration_number": "12-3456789",
                 *               "legal_registration_entity_type": "LIMITED_LIABILITY_COMPANY",
                 *               "legal_registration_address": {
                 *                 "street_address": "800 N King St",
                 *                 "postal_code": "19801",
                 *                 "city": "Wilmington",
                 *                 "region": "DE",
                 *                 "country": "US"
                 *               }
                 *             },
                 *             "operating_addresses": [
                 *               {
                 *                 "street_address": "800 N King St",
                 *                 "postal_code": "19801",
                 *                 "city": "Wilmington",
                 *                 "region": "DE",
                 *                 "country": "US"
                 *               }
                 *             ],
                 *             "stakeholders": [
                 *               {
                 *                 "given_name": "John",
                 *                 "family_name": "Doe",
                 *                 "date_of_birth": "1980-01-31",
                 *                 "roles": [
                 *                   "OWNER",
                 *                   "DIRECTOR"
                 *                 ]
                 *               }
                 *             ],
                 *             "partner_payouts_state": {
                 *               "payouts_status": "ENABLED",
                 *               "payouts_enabled_at": "2024-01-01T12:00:00Z",
                 *               "payouts_delay_days": 2,
                 *               "bank_accounts": [
                 *                 {
                 *                   "bank_account_type": "IBAN",
                 *                   "account_holder": "Legal Entity LLC",
                 *                   "bic": "DEUTDEFF",
                 *                   "iban": "DE89370400440532013000"
                 *                 }
                 *               ]
                 *             }
                 *           }
                 *         }
                 *       ],
                 *       "products": [
                 *         {
                 *           "type": "PAYMENT",
                 *           "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                 *           "payment_accounts": [
                 *             {
                 *               "payment_acquiring_account_id": "krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                 *               "payment_account_reference": "payment_account_ref",
                 *               "partner_business_entity_reference": "business_entity_1",
                 *               "default_store_group_reference": "store_group_1",
                 *               "default_merchant_category_code": "5411"
                 *             }
                 *           ]
                 *         }
                 *       ],
                 *       "brands": [
                 *         {
                 *           "display_name": "My Branding DE",
                 *           "brand_reference": "My_Branding_Ref_DE",
                 *           "element": {
                 *             "logo_url": "https://example.com/logo.png",
                 *             "icon_url": "https://example.com/icon.png"
                 *           }
                 *         }
                 *       ],
                 *       "store_groups": [
                 *         {
                 *           "store_group_reference": "store_group_1",
                 *           "brand_reference": "My_Branding_Ref_DE",
                 *           "support_contact": {
                 *             "email": "support@example.com",
                 *             "phone": "+18445527621",
                 *             "contact_form": "https://www.example.com/contact"
                 *           },
                 *           "social_media_links": [
                 *             {
                 *               "provider": "INSTAGRAM",
                 *               "url": "https://www.instagram.com/example"
                 *             }
                 *           ],
                 *           "stores": [
                 *             {
                 *               "type": "WEBSITE",
                 *               "store_reference": "store_ref_1",
                 *               "url": "https://www.example.com"
                 *             }
                 *           ]
                 *         }
                 *       ],
                 *       "supplementary_account_data": {
                 *         "account_creation": {
                 *           "account_created_from_ip": "203.0.113.10",
                 *           "account_created_at": "2023-05-01T08:30:00Z"
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["OnboardRequest"];
            };
        };
        responses: {
            /** @description Merchant account created (Klarna answers 200, not 201). */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *       "partner_account_reference": "M123786123412",
                     *       "partner_account_name": "Merchant ABC US",
                     *       "state": "PARTIALLY_OPERATIONAL",
                     *       "state_reason": "INITIAL_SETUP"
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerAccountSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    migratePartner: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description The legacy merchant to migrate. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "partner_account_reference": "M123786123412",
                 *       "partner_account_name": "John Doe Stakehouse",
                 *       "partner_account_contact": {
                 *         "given_name": "John",
                 *         "family_name": "Doe",
                 *         "email": "john.doe@example.com",
                 *         "phone": "+18445527621"
                 *       },
                 *       "partner_business_entities": [
                 *         {
                 *           "partner_business_entity_reference": "business_entity_1",
                 *           "legal_registered_entity_name": "Legal Entity LLC",
                 *           "legal_registration_country": "US",
                 *           "enabled_merchant_category_codes": [
                 *             "5411"
                 *           ],
                 *           "supplementary_business_data": {
                 *             "legal_registration": {
                 *               "legal_registration_number": "12-3456789",
                 *               "legal_registration_entity_type": "LIMITED_LIABILITY_COMPANY",
                 *               "legal_registration_address": {
                 *                 "street_address": "800 N King St",
                 *                 "postal_code": "19801",
                 *                 "city": "Wilmington",
                 *                 "region": "DE",
                 *                 "country": "US"
                 *               }
                 *             },
                 *             "operating_addresses": [
                 *               {
                 *                 "street_address": "800 N King St",
                 *                 "postal_code": "19801",
                 *                 "city": "Wilmington",
                 *                 "region": "DE",
                 *                 "country": "US"
                 *               }
                 *             ],
                 *             "stakeholders": [
                 *               {
                 *                 "given_name": "John",
                 *                 "family_name": "Doe",
                 *                 "date_of_birth": "1980-01-31",
                 *                 "roles": [
                 *                   "OWNER",
                 *                   "DIRECTOR"
                 *                 ]
                 *               }
                 *             ],
                 *             "partner_payouts_state": {
                 *               "payouts_status": "ENABLED",
                 *               "payouts_enabled_at": "2024-01-01T12:00:00Z",
                 *               "payouts_delay_days": 2,
                 *               "bank_accounts": [
                 *                 {
                 *                   "bank_account_type": "IBAN",
                 *                   "account_holder": "Legal Entity LLC",
                 *                   "bic": "DEUTDEFF",
                 *                   "iban": "DE89370400440532013000"
                 *                 }
                 *               ]
                 *             }
                 *           }
                 *         }
                 *       ],
                 *       "products": [
                 *         {
                 *           "type": "PAYMENT",
                 *           "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                 *           "payment_accounts": [
                 *             {
                 *               "payment_acquiring_account_id": "krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                 *               "payment_account_reference": "payment_account_ref",
                 *               "partner_business_entity_reference": "business_entity_1",
                 *               "default_store_group_reference": "store_group_1",
                 *               "default_merchant_category_code": "5411"
                 *             }
                 *           ],
                 *           "merchant_id": "K123456"
                 *         }
                 *       ],
                 *       "brands": [
                 *         {
                 *           "display_name": "My Branding DE",
                 *           "brand_reference": "My_Branding_Ref_DE",
                 *           "element": {
                 *             "logo_url": "https://example.com/logo.png",
                 *             "icon_url": "https://example.com/icon.png"
                 *           }
                 *         }
                 *       ],
                 *       "store_groups": [
                 *         {
                 *           "store_group_reference": "store_group_1",
                 *           "brand_reference": "My_Branding_Ref_DE",
                 *           "support_contact": {
                 *             "email": "support@example.com",
                 *             "phone": "+18445527621",
                 *             "contact_form": "https://www.example.com/contact"
                 *           },
                 *           "social_media_links": [
                 *             {
                 *               "provider": "INSTAGRAM",
                 *               "url": "https://www.instagram.com/example"
                 *             }
                 *           ],
                 *           "stores": [
                 *             {
                 *               "type": "WEBSITE",
                 *               "store_reference": "store_ref_1",
                 *               "url": "https://www.example.com"
                 *             }
                 *           ]
                 *         }
                 *       ],
                 *       "supplementary_account_data": {
                 *         "account_creation": {
                 *           "account_created_from_ip": "203.0.113.10",
                 *           "account_created_at": "2023-05-01T08:30:00Z"
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["MigrateRequest"];
            };
        };
        responses: {
            /** @description Merchant account created. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *       "partner_account_reference": "M123786123412",
                     *       "partner_account_name": "Merchant ABC US",
                     *       "state": "PARTIALLY_OPERATIONAL",
                     *       "state_reason": "INITIAL_SETUP"
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerAccountSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getAccount: {
        parameters: {
            query?: {
                /**
                 * @description Comma-separated list of sub-resources to include in the response (at most 10). `partner_busines_entities` is spelled so in Klarna's reference and is kept; Gateway assumption: the correct spelling `partner_business_entities` is accepted too.
                 * @example [
                 *       "products",
                 *       "brands"
                 *     ]
                 */
                expand?: ("partner_busines_entities" | "partner_business_entities" | "products" | "brands" | "store_groups" | "store_groups.stores")[];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Account details. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *       "partner_account_reference": "M123786123412",
                     *       "partner_account_name": "Merchant ABC US",
                     *       "partner_account_contact": {
                     *         "given_name": "John",
                     *         "family_name": "Doe",
                     *         "email": "john.doe@example.com",
                     *         "phone": "+18445527621"
                     *       },
                     *       "products": [
                     *         {
                     *           "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *           "type": "PAYMENT",
                     *           "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *           "payment_accounts": [
                     *             {
                     *               "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *               "status": "ENABLED",
                     *               "payment_account_reference": "payment_account_ref",
                     *               "default_merchant_category_code": "5411"
                     *             }
                     *           ],
                     *           "state": "ENABLED",
                     *           "state_reason": "APPROVED"
                     *         }
                     *       ],
                     *       "state": "OPERATIONAL",
                     *       "state_reason": "SETUP_COMPLETE",
                     *       "partner_business_entities": [
                     *         {
                     *           "partner_business_entity_id": "krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *           "partner_business_entity_reference": "business_entity_1",
                     *           "legal_registered_entity_name": "Legal Entity LLC",
                     *           "legal_registration_country": "US",
                     *           "enabled_merchant_category_codes": [
                     *             "5411"
                     *           ]
                     *         }
                     *       ],
                     *       "brands": [
                     *         {
                     *           "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "display_name": "My Branding DE",
                     *           "brand_reference": "My_Branding_Ref_DE"
                     *         }
                     *       ],
                     *       "store_groups": []
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerAccount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateAccount: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        /** @description Fields to change; absent fields are left unchanged. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "partner_account_reference": "M123786123412",
                 *       "partner_account_name": "Merchant ABC US",
                 *       "partner_account_contact": {
                 *         "given_name": "John",
                 *         "family_name": "Doe",
                 *         "email": "john.doe@example.com"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["AccountUpdateRequest"];
            };
        };
        responses: {
            /** @description Account details. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *       "partner_account_reference": "M123786123412",
                     *       "partner_account_name": "John Doe Stakehouse",
                     *       "partner_account_contact": {
                     *         "given_name": "John",
                     *         "family_name": "Doe",
                     *         "email": "john.doe@example.com"
                     *       },
                     *       "state": "PARTIALLY_OPERATIONAL",
                     *       "state_reason": "ACCOUNT_UPDATE"
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerAccountSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listPartnerBusinessEntities: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A paginated collection of partner business entities. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_business_entities": [
                     *         {
                     *           "partner_business_entity_id": "krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *           "partner_business_entity_reference": "business_entity_1",
                     *           "legal_registered_entity_name": "Legal Entity LLC",
                     *           "legal_registration_country": "US",
                     *           "enabled_merchant_category_codes": [
                     *             "5411"
                     *           ]
                     *         }
                     *       ],
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerBusinessEntityList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getPartnerBusinessEntity: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Partner Business Entity.
                 * @example krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58
                 */
                partner_business_entity_id: components["parameters"]["PartnerBusinessEntityIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The partner business entity with the given ID was found and retrieved. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_business_entity_id": "krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *       "partner_business_entity_reference": "business_entity_1",
                     *       "legal_registered_entity_name": "Legal Entity LLC",
                     *       "legal_registration_country": "US",
                     *       "enabled_merchant_category_codes": [
                     *         "5411"
                     *       ],
                     *       "supplementary_business_data": {
                     *         "legal_registration": {
                     *           "legal_registration_number": "12-3456789",
                     *           "legal_registration_entity_type": "LIMITED_LIABILITY_COMPANY"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerBusinessEntity"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePartnerBusinessEntity: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Partner Business Entity.
                 * @example krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58
                 */
                partner_business_entity_id: components["parameters"]["PartnerBusinessEntityIdPath"];
            };
            cookie?: never;
        };
        /** @description The new supplementary business data. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["PartnerBusinessEntityUpdateRequest"];
            };
        };
        responses: {
            /** @description The partner business entity was updated. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "partner_business_entity_id": "krn:partner:accounts:partner-business-entity:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *       "partner_business_entity_reference": "business_entity_1",
                     *       "legal_registered_entity_name": "Legal Entity LLC",
                     *       "legal_registration_country": "US",
                     *       "enabled_merchant_category_codes": [
                     *         "5411"
                     *       ],
                     *       "supplementary_business_data": {
                     *         "legal_registration": {
                     *           "legal_registration_number": "12-3456789",
                     *           "legal_registration_entity_type": "LIMITED_LIABILITY_COMPANY"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PartnerBusinessEntity"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listBrands: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A paginated collection of brands. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "brands": [
                     *         {
                     *           "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "display_name": "My Branding DE",
                     *           "brand_reference": "My_Branding_Ref_DE",
                     *           "element": {
                     *             "logo_url": "https://example.com/logo.png"
                     *           }
                     *         }
                     *       ],
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["BrandList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getBrand: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Brand.
                 * @example krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                brand_id: components["parameters"]["BrandIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The brand with the given ID was found and returned. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "display_name": "My Branding DE",
                     *       "brand_reference": "My_Branding_Ref_DE",
                     *       "element": {
                     *         "logo_url": "https://example.com/logo.png",
                     *         "icon_url": "https://example.com/icon.png"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Brand"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateBrand: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Brand.
                 * @example krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                brand_id: components["parameters"]["BrandIdPath"];
            };
            cookie?: never;
        };
        /** @description The new brand data. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "display_name": "My Branding DE",
                 *       "brand_reference": "My_Branding_Ref_DE",
                 *       "element": {
                 *         "logo_url": "https://example.com/logo.png"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["BrandUpdateRequest"];
            };
        };
        responses: {
            /** @description The brand was updated. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "display_name": "My Branding DE",
                     *       "brand_reference": "My_Branding_Ref_DE",
                     *       "element": {
                     *         "logo_url": "https://example.com/logo.png"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Brand"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listStores: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A paginated collection of stores. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "stores": [
                     *         {
                     *           "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "type": "WEBSITE",
                     *           "store_reference": "store_ref_1",
                     *           "url": "https://www.example.com",
                     *           "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613"
                     *         }
                     *       ],
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["StoreList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getStore: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Store.
                 * @example krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                store_id: components["parameters"]["StoreIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The store with the given ID was found and returned. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "type": "WEBSITE",
                     *       "store_reference": "store_ref_1",
                     *       "url": "https://www.example.com",
                     *       "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613"
                     *     }
                     */
                    "application/json": components["schemas"]["Store"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateStore: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Store.
                 * @example krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                store_id: components["parameters"]["StoreIdPath"];
            };
            cookie?: never;
        };
        /** @description The new store data. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "type": "WEBSITE",
                 *       "store_reference": "store_ref_1",
                 *       "url": "https://www.example.com"
                 *     }
                 */
                "application/json": components["schemas"]["StoreUpdateRequest"];
            };
        };
        responses: {
            /** @description The store was updated. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "type": "WEBSITE",
                     *       "store_reference": "store_ref_1",
                     *       "url": "https://www.example.com",
                     *       "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613"
                     *     }
                     */
                    "application/json": components["schemas"]["Store"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listStoreGroups: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A paginated collection of store groups. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "store_groups": [
                     *         {
                     *           "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "store_group_reference": "store_group_1",
                     *           "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "brand_reference": "My_Branding_Ref_DE",
                     *           "support_contact": {
                     *             "email": "support@example.com"
                     *           },
                     *           "social_media_links": [
                     *             {
                     *               "provider": "INSTAGRAM",
                     *               "url": "https://www.instagram.com/example"
                     *             }
                     *           ],
                     *           "stores": [
                     *             {
                     *               "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *               "type": "WEBSITE",
                     *               "store_reference": "store_ref_1",
                     *               "url": "https://www.example.com"
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["StoreGroupList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getStoreGroup: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Store Group.
                 * @example krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                store_group_id: components["parameters"]["StoreGroupIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The store group of the given ID was found and retrieved. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "store_group_reference": "store_group_1",
                     *       "brand_id": "krn:partner:global:account:brand:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "brand_reference": "My_Branding_Ref_DE",
                     *       "support_contact": {
                     *         "email": "support@example.com",
                     *         "phone": "+18445527621"
                     *       },
                     *       "social_media_links": [
                     *         {
                     *           "provider": "FACEBOOK",
                     *           "url": "https://www.facebook.com/example"
                     *         }
                     *       ],
                     *       "stores": [
                     *         {
                     *           "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "type": "WEBSITE",
                     *           "store_reference": "store_ref_1",
                     *           "url": "https://www.example.com"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["StoreGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updateStoreGroup: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Store Group.
                 * @example krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613
                 */
                store_group_id: components["parameters"]["StoreGroupIdPath"];
            };
            cookie?: never;
        };
        /** @description The new store group data. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "store_group_reference": "store_group_1",
                 *       "support_contact": {
                 *         "email": "support@example.com"
                 *       },
                 *       "social_media_links": [
                 *         {
                 *           "provider": "FACEBOOK",
                 *           "url": "https://www.facebook.com/example"
                 *         }
                 *       ],
                 *       "stores": [
                 *         {
                 *           "type": "WEBSITE",
                 *           "store_reference": "store_ref_1",
                 *           "url": "https://www.example.com"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["StoreGroupUpdateRequest"];
            };
        };
        responses: {
            /** @description The store group was updated. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "store_group_id": "krn:partner:global:account:store-groups:88c175c8-b578-4392-8e61-015c1b5df613",
                     *       "store_group_reference": "store_group_1",
                     *       "support_contact": {
                     *         "email": "support@example.com"
                     *       },
                     *       "social_media_links": [
                     *         {
                     *           "provider": "FACEBOOK",
                     *           "url": "https://www.facebook.com/example"
                     *         }
                     *       ],
                     *       "stores": [
                     *         {
                     *           "store_id": "krn:partner:global:account:stores:88c175c8-b578-4392-8e61-015c1b5df613",
                     *           "type": "WEBSITE",
                     *           "store_reference": "store_ref_1",
                     *           "url": "https://www.example.com"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["StoreGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listPaymentProducts: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List of payment products. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *         "type": "PAYMENT",
                     *         "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *         "payment_accounts": [
                     *           {
                     *             "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *             "status": "ENABLED",
                     *             "payment_account_reference": "payment_account_ref",
                     *             "default_merchant_category_code": "5411"
                     *           }
                     *         ],
                     *         "state": "ENABLED",
                     *         "state_reason": "APPROVED"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["PaymentProduct"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    disablePaymentProduct: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Payment Product, or the literal `default` to act on the account's unique payment product.
                 * @example default
                 */
                product_id: components["parameters"]["ProductIdPath"];
            };
            cookie?: never;
        };
        /** @description Why the product is disabled. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "reason": "FRAUD",
                 *       "reason_details": "Fraudulent activity detected"
                 *     }
                 */
                "application/json": components["schemas"]["PaymentProductDisableRequest"];
            };
        };
        responses: {
            /** @description Payment product disabled. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *       "type": "PAYMENT",
                     *       "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *       "payment_accounts": [
                     *         {
                     *           "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *           "status": "DISABLED",
                     *           "payment_account_reference": "payment_account_ref",
                     *           "default_merchant_category_code": "5411"
                     *         }
                     *       ],
                     *       "state": "DISABLED",
                     *       "state_reason": "FRAUD_BY_PARTNER",
                     *       "state_context": {
                     *         "reason": "FRAUD",
                     *         "reason_details": "Fraudulent activity detected"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentProduct"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    enablePaymentProduct: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Payment Product, or the literal `default` to act on the account's unique payment product.
                 * @example default
                 */
                product_id: components["parameters"]["ProductIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Payment product enabled. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "product_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *       "type": "PAYMENT",
                     *       "payment_profile_id": "krn:partner:global:account:payment-profile:206bbb83-9b6e-46fa-940d-337153c04a58",
                     *       "payment_accounts": [
                     *         {
                     *           "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *           "status": "ENABLED",
                     *           "payment_account_reference": "payment_account_ref",
                     *           "default_merchant_category_code": "5411"
                     *         }
                     *       ],
                     *       "state": "ENABLED",
                     *       "state_reason": "APPROVED"
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentProduct"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["OperationForbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getPaymentAccount: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Payment Product, or the literal `default` to act on the account's unique payment product.
                 * @example default
                 */
                product_id: components["parameters"]["ProductIdPath"];
                /**
                 * @description Identifier of the Payment Account.
                 * @example krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b
                 */
                payment_account_id: components["parameters"]["PaymentAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment account was found. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *       "status": "ENABLED",
                     *       "payment_account_reference": "payment_account_ref",
                     *       "default_merchant_category_code": "5411"
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentAccount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    updatePaymentAccount: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the Payment Product, or the literal `default` to act on the account's unique payment product.
                 * @example default
                 */
                product_id: components["parameters"]["ProductIdPath"];
                /**
                 * @description Identifier of the Payment Account.
                 * @example krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b
                 */
                payment_account_id: components["parameters"]["PaymentAccountIdPath"];
            };
            cookie?: never;
        };
        /** @description Fields to change; absent fields are left unchanged. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "payment_account_reference": "payment_account_ref",
                 *       "default_merchant_category_code": "5411"
                 *     }
                 */
                "application/json": components["schemas"]["PaymentAccountUpdateRequest"];
            };
        };
        responses: {
            /** @description The payment account was updated. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "payment_account_id": "krn:partner:global:payment-account:test:3440b9b7-7ca2-44a3-8f62-776caacdaa0b"
                     *     }
                     */
                    "application/json": components["schemas"]["PaymentAccount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listPricePlans: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Price Plan list. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "price_plan_id": "krn:partner:global:pricing:payment:price-plan:ad71bc48-8a07-4919-a2c1",
                     *         "name": "price plan",
                     *         "description": "Default Price Plan",
                     *         "versions": [
                     *           {
                     *             "version": 1,
                     *             "effective_from": "2024-01-01T12:00:00Z",
                     *             "effective_to": null,
                     *             "comment": "Active, effective post Jan 1 2024"
                     *           }
                     *         ]
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["PricePlanSummary"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getPricePlan: {
        parameters: {
            query: {
                /**
                 * @description Merchant Category Code (MCC) the rates are requested for.
                 * @example 5411
                 */
                merchant_category_code: components["schemas"]["MerchantCategoryCode"];
                /**
                 * @description Point in time (UTC, ISO 8601) whose price plan version is returned; defaults to now.
                 * @example 2024-01-01T12:00:00Z
                 */
                date_time?: string;
                /** @description Version number of the Price Plan. */
                version?: number;
                /**
                 * @description Currency in ISO 4217 format. Validated as a currency code only; there may be no pricing for it.
                 * @example USD
                 */
                currency?: components["schemas"]["Currency"];
                /**
                 * @description The country where the partner is registered, ISO 3166-1 alpha-2.
                 * @example US
                 */
                partner_country?: components["schemas"]["Country"];
                /**
                 * @description The country where the customer is registered, ISO 3166-1 alpha-2.
                 * @example US
                 */
                customer_country?: components["schemas"]["Country"];
                /** @description Categorization of the payment transaction used to calculate its final pricing. */
                pricing_payment_category?: "DIGITAL" | "PHYSICAL";
                /**
                 * @description Applied payment program id.
                 * @example krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291
                 */
                payment_program_id?: string;
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the requested Price Plan.
                 * @example krn:partner:global:payment:price-plan:171080e7-2637-4675-a224-ec032723ebdf
                 */
                price_plan_id: components["parameters"]["PricePlanIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Price Plan was successfully found by provided price plan id, MCC and date. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "price_plan_id": "krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1",
                     *       "name": "price plan",
                     *       "description": "Default Price Plan",
                     *       "rates": [
                     *         {
                     *           "merchant_category_code": "5411",
                     *           "currency": "USD",
                     *           "partner_country": "US",
                     *           "customer_country": "US",
                     *           "pricing_payment_category": "PHYSICAL",
                     *           "payment_program_id": "krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *           "fixed_fee": 30,
                     *           "variable_fee": 299,
                     *           "cross_border_fee": 0,
                     *           "micro_transaction_cap": null
                     *         }
                     *       ],
                     *       "version": 1,
                     *       "effective_from": "2024-01-01T12:00:00Z",
                     *       "comment": "Active, effective post Jan 1 2024",
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PricePlan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getSettlement: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description The unique identifier of a settlement.
                 * @example krn:partner:eu1:settlement:live:113574395
                 */
                settlement_id: components["parameters"]["SettlementIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ok. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "settlement_id": "krn:partner:eu1:settlement:live:113574395",
                     *       "payment_acquiring_account_id": "krn:partner:global:payment-acquiring-account:live:3440b9b7-7ca2-44a3-8f62-776caacdaa0b",
                     *       "payment_acquiring_account_reference": "M123786123412",
                     *       "created_at": "2024-10-13T00:00:00Z",
                     *       "period_from": "2024-10-05T00:00:00Z",
                     *       "period_to": "2024-10-12T00:00:00Z",
                     *       "settlement_amount": 200,
                     *       "currency": "USD",
                     *       "totals": {
                     *         "capture_amount": 300,
                     *         "refund_amount": 0,
                     *         "capture_fixed_fee_amount": -100,
                     *         "capture_variable_fee_amount": 0,
                     *         "dispute_fee_amount": 0,
                     *         "fee_correction_amount": 0,
                     *         "chargeback_amount": 0,
                     *         "correction_chargeback_amount": 0,
                     *         "tax_amount": 0,
                     *         "holdback_amount": 0,
                     *         "release_amount": 0,
                     *         "opening_debt_balance": 0,
                     *         "deposit_amount": 0,
                     *         "repay_amount": 0,
                     *         "closing_debt_balance": 0
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Settlement"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSettlementCsv: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description The unique identifier of a settlement.
                 * @example krn:partner:eu1:settlement:live:113574395
                 */
                settlement_id: components["parameters"]["SettlementIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ok. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example settlement_id,payment_acquiring_account_id,payment_acquiring_account_reference,created_at,period_from,period_to,settlement_amount,currency,capture_amount,refund_amount,capture_fixed_fee_amount,capture_variable_fee_amount,dispute_fee_amount,fee_correction_amount,chargeback_amount,correction_chargeback_amount,tax_amount,holdback_amount,release_amount,opening_debt_balance,deposit_amount,repay_amount,closing_debt_balance,paid_out_at,payout_bank_account_reference,payment_reference,,,
                     *     krn:partner:eu1:settlement:live:15328742,krn:partner:global:account:live:LWT2XJSE,M123786123412,2024-10-13T22:00:00Z,2024-10-05T22:00:00Z,2024-10-12T22:00:00Z,78743,EUR,174500,-17000,-900,-1224,-200,40,-76050,0,-423,0,0,0,0,0,0,2024-10-13T22:00:00Z,PSP US Bank Account,15328742,,,
                     *     type,detailed_type,created_at,transaction_amount,transaction_currency,,,,payment_account_id,payment_account_reference,product_id,payment_transaction_id,payment_transaction_created_at,payment_transaction_reference,payment_capture_id,payment_capture_reference,payment_refund_id,payment_refund_reference,payment_dispute_id,payment_chargeback_id,tax_amount,tax_rate,applied_transaction_fee,applied_cross_border_fee,applied_buy_rate_incentives,applied_sell_rate_incentives,price_plan_id,payment_program_id,merchant_category_code
                     *     SALE,CAPTURE,2024-09-10T09:53:25.000Z,15300,EUR,,,,krn:partner:global:account:live:c0342d28-62b7-4d13-a685-840298a90d73,payment_account_ref,krn:partner:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918,krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0,2024-09-07T15:25:04.000Z,partner-transaction-reference-4567,krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0:capture:1,partner-capture-ref-456,,,,,,,,,,,krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1,krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291,5912
                     *     FEE,CAPTURE_FIXED_FEE,2024-09-10T09:53:26.250Z,-100,EUR,,,,krn:partner:global:account:live:c0342d28-62b7-4d13-a685-840298a90d73,payment_account_ref,krn:partner:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918,krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0,2024-09-07T15:25:04.000Z,partner-transaction-reference-4567,krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0:capture:1,partner-capture-ref-456,,,,,-19,1900,-100,,0,0,krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1,krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291,5912
                     */
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listSettlementTransactions: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description The unique identifier of a settlement.
                 * @example krn:partner:eu1:settlement:live:113574395
                 */
                settlement_id: components["parameters"]["SettlementIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ok. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "transactions": [
                     *         {
                     *           "type": "SALE",
                     *           "detailed_type": "CAPTURE",
                     *           "created_at": "2024-09-10T09:53:25.000Z",
                     *           "transaction_amount": 15300,
                     *           "transaction_currency": "EUR",
                     *           "payment_account_id": "krn:partner:global:account:live:c0342d28-62b7-4d13-a685-840298a90d73",
                     *           "payment_account_reference": "payment_account_ref",
                     *           "product_id": "krn:partner:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *           "payment_transaction_id": "krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0",
                     *           "payment_transaction_created_at": "2024-09-07T15:25:04.000Z",
                     *           "payment_transaction_reference": "partner-transaction-reference-4567",
                     *           "payment_capture_id": "krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0:capture:1",
                     *           "payment_capture_reference": "partner-capture-ref-456",
                     *           "price_plan_id": "krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1",
                     *           "payment_program_id": "krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *           "merchant_category_code": "5912"
                     *         },
                     *         {
                     *           "type": "FEE",
                     *           "detailed_type": "CAPTURE_FIXED_FEE",
                     *           "created_at": "2024-09-10T09:53:26.250Z",
                     *           "transaction_amount": -100,
                     *           "transaction_currency": "EUR",
                     *           "payment_account_id": "krn:partner:global:account:live:c0342d28-62b7-4d13-a685-840298a90d73",
                     *           "payment_account_reference": "payment_account_ref",
                     *           "product_id": "krn:partner:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *           "payment_transaction_id": "krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0",
                     *           "payment_transaction_created_at": "2024-09-07T15:25:04.000Z",
                     *           "payment_transaction_reference": "partner-transaction-reference-4567",
                     *           "payment_capture_id": "krn:payment:eu1:transaction:6debe89e-98c0-486e-b7a5-08a4f6df94b0:capture:1",
                     *           "payment_capture_reference": "partner-capture-ref-456",
                     *           "tax_amount": -19,
                     *           "tax_rate": 1900,
                     *           "applied_transaction_fee": -100,
                     *           "applied_cross_border_fee": null,
                     *           "applied_buy_rate_incentives": 0,
                     *           "applied_sell_rate_incentives": 0,
                     *           "price_plan_id": "krn:partner:global:pricing:payments:price-plan:ad71bc48-8a07-4919-a2c1",
                     *           "payment_program_id": "krn:partner:global:pricing:payments:program:a5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *           "merchant_category_code": "5912"
                     *         }
                     *       ],
                     *       "pagination": {
                     *         "count": 2,
                     *         "total": 24,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": "Xkq9F3mDYtwP2",
                     *         "links": {
                     *           "next": {
                     *             "href": "/v2/settlements/krn%3Apartner%3Aeu1%3Asettlement%3Alive%3A113574395/transactions?size=2&starting_after=Xkq9F3mDYtwP2",
                     *             "method": "GET",
                     *             "rel": "next"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["SettlementTransactionList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getPayoutStatus: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description The unique identifier of a settlement.
                 * @example krn:partner:eu1:settlement:live:113574395
                 */
                settlement_id: components["parameters"]["SettlementIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payout status for the latest payout attempt. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "payout_id": "krn:partner:eu1:settlement:live:123456789:payouts:1",
                     *       "paid_out_at": "2024-01-01T12:00:00Z",
                     *       "payout_amount": 200,
                     *       "currency": "USD",
                     *       "status": "PROCESSED",
                     *       "payout_bank_account_reference": "string",
                     *       "payment_reference": "113574395"
                     *     }
                     */
                    "application/json": components["schemas"]["PayoutStatus"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    grantPortalUserAccess: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description The signed JWT describing the access. */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
                 *     }
                 */
                "application/json": components["schemas"]["PortalUserAccessRequest"];
            };
        };
        responses: {
            /** @description Access successfully created. */
            201: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Access successfully updated. */
            204: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    revokePortalUserAccess: {
        parameters: {
            query?: {
                /**
                 * @description The ID of the account to remove access for. This or principal is required.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id?: components["schemas"]["PartnerAccountId"];
                /**
                 * @description The ID (portal user KRN) or email of the user to remove access from. This or partner_account_id is required.
                 * @example krn:partner:global:portal:user:b0ac4fb5-2975-4417-ae76-f2ac86fb6c6d
                 */
                principal?: string;
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Idempotency key for a mutation (a UUID is recommended), honoured for 24 hours: a repeat returns the original response without re-processing; the key alone decides. Gateway assumption: accepted on DELETE as well as POST and PATCH.
                 * @example 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
                 */
                "Klarna-Idempotency-Key"?: components["parameters"]["KlarnaIdempotencyKey"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Access successfully deleted. */
            204: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listComplianceDecisions: {
        parameters: {
            query?: {
                /**
                 * @description Limits the number of items returned. If omitted, the default page size is used. Gateway assumption: default 20 (documented for decisions), maximum 100.
                 * @example 20
                 */
                size?: components["parameters"]["PageSize"];
                /**
                 * @description Pagination cursor; pass pagination.last_item of the previous page to get the items after it. Cannot be used together with ending_before (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                starting_after?: components["parameters"]["StartingAfter"];
                /**
                 * @description Pagination cursor; pass pagination.first_item of a page to get the items up until, but not including, it. Cannot be used together with starting_after (OpenAPI cannot express this; the sandbox rejects both with 400). Without either cursor the first page is returned.
                 * @example Zpq6F3mDYtwK8
                 */
                ending_before?: components["parameters"]["EndingBefore"];
            };
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The decisions are found. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "pagination": {
                     *         "count": 1,
                     *         "total": 1,
                     *         "first_item": "Zpq6F3mDYtwK8",
                     *         "last_item": null
                     *       },
                     *       "decisions": [
                     *         {
                     *           "decision_id": "krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *           "decision_type": "NON_COMPLIANT",
                     *           "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *           "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *           "created_at": "2019-08-24T14:15:22Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ComplianceDecisionList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    getComplianceDecision: {
        parameters: {
            query?: never;
            header: {
                /** @description Metadata about the integrator and the originators of the request, serialized as JSON. Required in r6 (later releases make it optional). */
                "Klarna-Integration-Metadata": components["parameters"]["KlarnaIntegrationMetadata"];
                /**
                 * @description Caller-chosen correlation id, echoed back in the Partner-Correlation-Id response header. Gateway assumption: hyphens are allowed (so UUIDs fit), although Klarna's r7 pattern is alphanumeric only.
                 * @example 0b5c3e9a-7d41-4c2e-9f0a-2e6b1d8c4f73
                 */
                "Partner-Correlation-Id"?: components["parameters"]["PartnerCorrelationId"];
                /**
                 * @description Klarna Partner Account ID when acting on behalf of another account (not shown in the r6 text; taken from later releases). Gateway assumption: the call is made on behalf of this account, e.g. an acquirer acting for a sub-partner.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                "Klarna-Partner-Account"?: components["parameters"]["KlarnaPartnerAccount"];
            };
            path: {
                /**
                 * @description Identifier of the Partner Account the action is done on behalf of.
                 * @example krn:partner:global:account:live:LWT2XJSE
                 */
                partner_account_id: components["parameters"]["PartnerAccountIdPath"];
                /**
                 * @description Identifier of the compliance decision.
                 * @example krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291
                 */
                decision_id: components["parameters"]["DecisionIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The decision is found. */
            200: {
                headers: {
                    "Partner-Correlation-Id": components["headers"]["PartnerCorrelationId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "decision_id": "krn:partner:global:compliance:decision:5cd46f7e-573d-4b02-bab8-1f1c0e343291",
                     *       "decision_type": "NON_COMPLIANT",
                     *       "partner_account_id": "krn:partner:global:account:live:LWT2XJSE",
                     *       "product_instance_id": "krn:partner:global:account:product:payment:ad71bc48-8a07-4919-a2c1-103dba3fc918",
                     *       "created_at": "2019-08-24T14:15:22Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ComplianceDecision"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
}

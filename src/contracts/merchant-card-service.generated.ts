// Generated from openapi/merchant-card-service-v3.yaml by `npm run contracts`. Do not edit.
export interface paths {
    "/merchantcard/v3/promises": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a card promise
         * @description Creates a promise of the cards to issue for an order. A new promise for an order automatically invalidates the order's previous promise.
         *
         *     Gateway assumption: an `order_id` Klarna does not know yet is registered with the promise, its total the sum of the card amounts (a promise is how Klarna learns about an order); an order of another merchant, cards in more than one currency, or a currency other than the known order's is a `400`.
         */
        post: operations["createPromise"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchantcard/v3/promises/{promise_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get details of a card promise
         * @description Reads a promise by its identifier.
         *
         *     Gateway assumption: an invalidated (superseded) or expired promise, and a promise of another merchant, are `404`.
         */
        get: operations["readPromise"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchantcard/v3/settlements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a card settlement
         * @description Settles a completed order with virtual cards, optionally naming the promise to settle. The cards' data come back encrypted for the public key `key_id`.
         *
         *     Gateway assumption: without `promise_id` the order's valid promise is used if it has one, otherwise one card is issued for the order's total. A `promise_id` that is not the order's valid promise, an unknown order (or another merchant's), and a `key_id` not enrolled for the caller are `400`. An order has at most one card settlement: settling it again returns the existing settlement (`201`), encrypted for the `key_id` of the new request.
         */
        post: operations["settlePromise"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchantcard/v3/settlements/{settlement_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get details of a card settlement
         * @description Reads a settlement by its identifier, with the cards encrypted for the key named in `KeyId` (the same settlement can be read for any of the caller's enrolled keys).
         *
         *     Gateway assumption: a `KeyId` not enrolled for the caller is `403`; a settlement of another merchant is `404`; a settlement stays readable after its `expires_at`.
         */
        get: operations["readSettlement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchantcard/v3/settlements/order/{order_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get card settlement details for an order
         * @description Reads the card settlement of an order, with the cards encrypted for the key named in `KeyId`.
         *
         *     Gateway assumption: a `KeyId` not enrolled for the caller is `403`; an unknown order, another merchant's order and an order without a card settlement are `404`.
         */
        get: operations["readSettlementByOrderId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchantcard/v3/orders/{order_id}/cancel-request": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The order whose cancellation is requested or read. It must have a virtual credit card settlement.
                 * @example f3392f8b-6116-4073-ab96-e330819e2c07
                 */
                order_id: string;
            };
            cookie?: never;
        };
        /**
         * Get order cancellation status
         * @description Reads the status of an order's cancellation request: `PENDING` until `check_after`, then `CANCELLED`, or `REJECTED` with a reason (`CARD_IN_USE` when the order's card has been used).
         */
        get: operations["getOrderCancellation"];
        put?: never;
        /**
         * Request order cancellation
         * @description Requests cancellation of an order that has a virtual credit card settlement. An order already cancelled is answered `200`; otherwise the request is queued and answered `202` with `check_after`, the time after which the GET endpoint shows the decision.
         *
         *     Gateway assumption: requesting again while the request is pending answers `202` with the same `check_after` and queues nothing new; requesting again after a rejection queues a new request.
         */
        post: operations["requestOrderCancellation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description One card to issue for an order. */
        card_specification: {
            /**
             * Format: int64
             * @description The total purchase amount on the card, in minor units.
             * @example 10000
             */
            amount: number;
            /**
             * @description The amount's currency, ISO 4217. Gateway assumption: three upper-case letters; the reference only names ISO 4217.
             * @example USD
             */
            currency: string;
            /**
             * Format: int64
             * @description The amount funded on the card, in minor units. Gateway assumption: not negative; when present it is the settled card's `amount`, otherwise `amount` is.
             * @example 10000
             */
            fund_amount?: number;
            /**
             * @description Your reference for the card (for example the order line it pays).
             * @example yPGw6i4lR0GTcyxGpS3Q6Q==
             */
            reference: string;
        };
        /** @description A virtual card of a settlement. Its number, CVV and expiry are in `pci_data`, encrypted: `aes_key` is a random 128-bit AES key encrypted with the enrolled RSA public key (RSA PKCS#1 v1.5), `pci_data` is the card data encrypted with that key in AES-CTR mode with the counter block `iv`; all three are base64. Gateway assumption: the decrypted `pci_data` is UTF-8 JSON `{"pan", "cvv", "expiry_date"}` with `expiry_date` as `MM/YY` (Klarna does not document the plaintext). */
        card: {
            /**
             * @description The reference of the card specification this card was issued for. Gateway assumption: for a card issued without a promise, the order id.
             * @example yPGw6i4lR0GTcyxGpS3Q6Q==
             */
            reference?: string;
            /**
             * @description Unique card identifier.
             * @example b846430c-3656-43a1-812e-2ccff4531b7d
             */
            card_id: string;
            /**
             * Format: int64
             * @description The total amount available on the card, in minor units of `currency`.
             * @example 10000
             */
            amount: number;
            /**
             * @description The ISO 4217 currency of `amount`.
             * @example USD
             */
            currency: string;
            /** @description Encrypted, PCI compliant card data (AES-128-CTR), base64. */
            pci_data: string;
            /** @description The 16-byte initialization vector (initial counter block) for AES-CTR, base64. */
            iv: string;
            /** @description The 128-bit AES key, encrypted with the enrolled RSA public key (PKCS#1 v1.5), base64. */
            aes_key: string;
            /**
             * @description The brand of the card.
             * @example VISA
             */
            brand?: string;
            /**
             * @description Card holder name on the card.
             * @example Jane Doe
             */
            holder?: string;
        };
        /** @description The order and the cards to promise for it. */
        promise_request: {
            /**
             * @description A valid order id.
             * @example f3392f8b-6116-4073-ab96-e330819e2c07
             */
            order_id: string;
            /** @description The cards you would like to issue (1 to 1000). */
            cards: components["schemas"]["card_specification"][];
        };
        /** @description A created promise. Note the field is `expires_at` here and `expire_at` when the promise is read; both spellings are Klarna's. Gateway assumption: both fields are always present. */
        promise_created_response: {
            /**
             * @description The unique promise id.
             * @example ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c
             */
            readonly promise_id: string;
            /**
             * Format: date-time
             * @description When the promise expires. Gateway assumption: 24 hours after creation (the docs' samples are 24 hours apart).
             * @example 2018-12-04T10:26:06.000Z
             */
            readonly expires_at: string;
        };
        /** @description A promise as read. Gateway assumption: every field is always present. */
        promise_response: {
            /**
             * @description The unique promise id.
             * @example ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c
             */
            readonly promise_id: string;
            /**
             * @description The order the promise is for.
             * @example f3392f8b-6116-4073-ab96-e330819e2c07
             */
            readonly order_id: string;
            /** @description The promised card specifications, as requested. */
            readonly cards: components["schemas"]["card_specification"][];
            /**
             * Format: date-time
             * @description When the promise was created.
             * @example 2018-12-03T10:26:06.000Z
             */
            readonly created_at: string;
            /**
             * Format: date-time
             * @description When the promise expires (spelled `expire_at` here, `expires_at` on creation).
             * @example 2018-12-04T10:26:06.000Z
             */
            readonly expire_at: string;
        };
        /** @description The order to settle, optionally its promise, and the key to encrypt the cards for. */
        settlement_request: {
            /**
             * @description The promise to settle; it must be the order's valid promise.
             * @example ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c
             */
            promise_id?: string;
            /**
             * @description The completed order to settle.
             * @example f3392f8b-6116-4073-ab96-e330819e2c07
             */
            order_id: string;
            /**
             * @description The enrolled public key to encrypt the card data for.
             * @example 16e4b85e-899b-4427-a39f-07a496e9515b
             */
            key_id: string;
        };
        /** @description An order's card settlement. Gateway assumption: every field but `promise_id` (absent when the order was settled without a promise) is always present. */
        settlement_response: {
            /**
             * @description Unique settlement identifier.
             * @example b0ec0bbd-534c-4b1c-b28a-628bf33c3324
             */
            settlement_id: string;
            /**
             * @description The promise the settlement was made from.
             * @example ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c
             */
            promise_id?: string;
            /**
             * @description The settled order.
             * @example f3392f8b-6116-4073-ab96-e330819e2c07
             */
            order_id: string;
            /** @description The order's virtual cards, encrypted for the requested key. */
            cards: components["schemas"]["card"][];
            /**
             * @description When the settlement was created (ISO 8601).
             * @example 2018-12-03T10:26:06.000Z
             */
            created_at: string;
            /**
             * @description When the settlement expires (ISO 8601). Gateway assumption: 24 hours after creation.
             * @example 2018-12-04T10:26:06.000Z
             */
            expires_at: string;
        };
        /** @description The status of an order's cancellation request. */
        cancel_order_request_status: {
            /**
             * @description The status of the order cancellation request.
             * @example PENDING
             * @enum {string}
             */
            status: "PENDING" | "CANCELLED" | "REJECTED";
            /**
             * Format: date-time
             * @description When a decision on the cancellation is expected (ISO 8601). Only present while the status is `PENDING`.
             * @example 2018-12-04T10:26:06.000Z
             */
            check_after?: string;
            /**
             * @description Why the cancellation was rejected. Only present when the status is `REJECTED`.
             * @example CARD_IN_USE
             * @enum {string}
             */
            reason_code?: "CARD_IN_USE" | "OTHER";
            /**
             * @description Human-readable reason for the rejection. Only present when the status is `REJECTED`.
             * @example Cancellation request was rejected because the virtual credit card linked to this order is in use.
             */
            reason_message?: string;
        };
        /** @description A cancellation request queued for a decision. */
        cancel_order_request_status_pending: {
            /**
             * @description The status of the order cancellation request.
             * @enum {string}
             */
            status: "PENDING";
            /**
             * Format: date-time
             * @description When a decision on the cancellation is expected (ISO 8601).
             * @example 2018-12-04T10:26:06.000Z
             */
            check_after: string;
        };
        /** @description An order that is cancelled. */
        cancel_order_request_status_cancelled: {
            /**
             * @description The status of the order cancellation request.
             * @enum {string}
             */
            status: "CANCELLED";
        };
        /** @description The answer when the order's cancellation was never requested. */
        cancel_order_request_status_no_request_found: {
            /**
             * @description The status of the order cancellation request.
             * @enum {string}
             */
            status: "NO_REQUEST_FOUND";
            /**
             * @description Reason code for the bad request.
             * @enum {string}
             */
            reason_code: "NO_REQUEST_FOUND";
            /**
             * @description Human-readable message for the bad request.
             * @example No cancellation request found for this order.
             */
            reason_message: string;
        };
        /** @description Klarna's legacy REST error object. Gateway assumption: every MCS error but the no-request-found answer carries it (Klarna's MCS reference declares no error bodies). */
        error: {
            /**
             * @description A machine-readable code in upper snake case, e.g. `BAD_VALUE`, `NOT_FOUND`.
             * @example BAD_VALUE
             */
            error_code: string;
            /** @description Human-readable messages, one per problem. */
            error_messages: string[];
            /**
             * @description Identifies this error in Klarna's logs; quote it to Klarna support.
             * @example 0b1d9815-165b-4f5f-a1b1-a0a6e2fa5cce
             */
            correlation_id: string;
        };
    };
    responses: {
        /** @description The request is invalid (a parameter or body field, or a reference to something unusable such as an unknown order, promise or key). */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description Gateway assumption: a missing or empty `KeyId` header is a bad request (Klarna's reference lists no `400` for the settlement reads). */
        MissingKeyId: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description Missing or wrong credentials. Gateway assumption: not in Klarna's MCS reference; every Klarna API answers so. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description Forbidden, e.g. the key named is not enrolled for the caller. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description No such resource for the caller. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description You do not have permission to execute this operation. */
        CancellationForbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description The order does not exist or does not have a virtual credit card settlement. */
        CancellationNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description The service is temporarily unavailable; retry later. */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
        /** @description Gateway assumption: any other error status (rate limiting, server errors) carries the legacy error object too. */
        OtherError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["error"];
            };
        };
    };
    parameters: {
        /**
         * @description Unique identifier of the enrolled public key to encrypt the card data for.
         * @example 16e4b85e-899b-4427-a39f-07a496e9515b
         */
        KeyId: string;
        /** @description Gateway assumption: a key (a UUID) that makes a retried write safe: a repeat within 24 hours returns the first response without applying the write again. Klarna documents this header for its Management API; the MCS reference does not mention it. */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    createPromise: {
        parameters: {
            query?: never;
            header?: {
                /** @description Gateway assumption: a key (a UUID) that makes a retried write safe: a repeat within 24 hours returns the first response without applying the write again. Klarna documents this header for its Management API; the MCS reference does not mention it. */
                "Klarna-Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description The order and the cards to promise for it. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["promise_request"];
            };
        };
        responses: {
            /** @description The promise was created; it expires at `expires_at`. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["promise_created_response"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["ServiceUnavailable"];
            default: components["responses"]["OtherError"];
        };
    };
    readPromise: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The promise's identifier, as returned by `createPromise`.
                 * @example ee4a8e3a-9dfd-49e0-9ac8-ea2b6c76408c
                 */
                promise_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The promise. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["promise_response"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["OtherError"];
        };
    };
    settlePromise: {
        parameters: {
            query?: never;
            header?: {
                /** @description Gateway assumption: a key (a UUID) that makes a retried write safe: a repeat within 24 hours returns the first response without applying the write again. Klarna documents this header for its Management API; the MCS reference does not mention it. */
                "Klarna-Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        /** @description The order to settle, its promise and the key to encrypt the cards for. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["settlement_request"];
            };
        };
        responses: {
            /** @description The settlement, with the cards encrypted for `key_id`. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["settlement_response"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["ServiceUnavailable"];
            default: components["responses"]["OtherError"];
        };
    };
    readSettlement: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description Unique identifier of the enrolled public key to encrypt the card data for.
                 * @example 16e4b85e-899b-4427-a39f-07a496e9515b
                 */
                KeyId: components["parameters"]["KeyId"];
            };
            path: {
                /**
                 * @description Unique settlement identifier.
                 * @example b0ec0bbd-534c-4b1c-b28a-628bf33c3324
                 */
                settlement_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settlement, with the cards encrypted for `KeyId`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["settlement_response"];
                };
            };
            400: components["responses"]["MissingKeyId"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["OtherError"];
        };
    };
    readSettlementByOrderId: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description Unique identifier of the enrolled public key to encrypt the card data for.
                 * @example 16e4b85e-899b-4427-a39f-07a496e9515b
                 */
                KeyId: components["parameters"]["KeyId"];
            };
            path: {
                /**
                 * @description Unique identifier for the order associated to the settlement.
                 * @example f3392f8b-6116-4073-ab96-e330819e2c07
                 */
                order_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order's settlement, with the cards encrypted for `KeyId`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["settlement_response"];
                };
            };
            400: components["responses"]["MissingKeyId"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["OtherError"];
        };
    };
    getOrderCancellation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The order whose cancellation is requested or read. It must have a virtual credit card settlement.
                 * @example f3392f8b-6116-4073-ab96-e330819e2c07
                 */
                order_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The status of the order's cancellation request. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["cancel_order_request_status"];
                };
            };
            /**
             * @description Bad request, or the order's cancellation was never requested (then the body is `cancel_order_request_status_no_request_found`).
             *
             *     Gateway assumption: any other bad request carries the legacy `error` object.
             */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["cancel_order_request_status_no_request_found"] | components["schemas"]["error"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["CancellationForbidden"];
            404: components["responses"]["CancellationNotFound"];
            503: components["responses"]["ServiceUnavailable"];
            default: components["responses"]["OtherError"];
        };
    };
    requestOrderCancellation: {
        parameters: {
            query?: never;
            header?: {
                /** @description Gateway assumption: a key (a UUID) that makes a retried write safe: a repeat within 24 hours returns the first response without applying the write again. Klarna documents this header for its Management API; the MCS reference does not mention it. */
                "Klarna-Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /**
                 * @description The order whose cancellation is requested or read. It must have a virtual credit card settlement.
                 * @example f3392f8b-6116-4073-ab96-e330819e2c07
                 */
                order_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order is already cancelled. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["cancel_order_request_status_cancelled"];
                };
            };
            /** @description The order was queued for cancellation; a decision is expected after `check_after`. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["cancel_order_request_status_pending"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["CancellationForbidden"];
            404: components["responses"]["CancellationNotFound"];
            503: components["responses"]["ServiceUnavailable"];
            default: components["responses"]["OtherError"];
        };
    };
}

/**
 * Klarna's error bodies, in the two formats the APIs use: the Klarna Network object of the Partner
 * Management API (`error_id`, `error_type`, `error_code`, `error_message`, `validation_errors`) and the
 * legacy object of the Merchant Card Service (`error_code`, `error_messages`, `correlation_id`).
 */
import { randomUUID } from 'node:crypto';
import type { ApiName, Violation } from '../contracts/contract.ts';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly errorCode: string,
    message: string,
    readonly validationErrors: Violation[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The body Klarna sends for this error, in the API's own format. */
  toBody(api: ApiName): Record<string, unknown> {
    if (api === 'merchant-card-service') {
      const messages = this.validationErrors.length
        ? this.validationErrors.map((v) => `${v.parameter} ${v.reason}`)
        : [this.message];
      return { error_code: this.errorCode, error_messages: messages, correlation_id: randomUUID() };
    }
    return {
      error_id: randomUUID(),
      error_type: this.errorType,
      error_code: this.errorCode,
      error_message: this.message,
      ...(this.validationErrors.length ? { validation_errors: this.validationErrors } : {}),
    };
  }
}

export const validationError = (violations: Violation[], message = 'The request has invalid parameters.') =>
  new SandboxError(400, 'INPUT_ERROR', 'VALIDATION_ERROR', message, violations);

export const badValue = (message: string) => new SandboxError(400, 'INPUT_ERROR', 'BAD_VALUE', message);

export const notFound = (what: string) =>
  new SandboxError(404, 'RESOURCE_ERROR', 'RESOURCE_NOT_FOUND', `${what} was not found.`);

export const unauthorized = () =>
  new SandboxError(401, 'ACCESS_ERROR', 'UNAUTHORIZED', 'The presented credentials failed authentication.');

export const forbidden = (message: string) => new SandboxError(403, 'RESOURCE_ERROR', 'OPERATION_FORBIDDEN', message);

export const conflict = (message: string) => new SandboxError(400, 'RESOURCE_ERROR', 'RESOURCE_CONFLICT', message);

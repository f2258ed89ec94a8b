/**
 * The expected failures of mutations, as part of the schema: every mutation answers a union of its
 * payload and these types, so a form can show each problem next to its field. Unexpected failures are
 * not in the union; they stay masked GraphQL errors.
 */
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError, OutcomeUnknownError, RateLimitedError, type GatewayError } from '../errors.ts';
import { builder } from './builder.ts';

export const UserErrorRef = builder.interfaceRef<GatewayError>('UserError').implement({
  description: 'An expected reason a mutation did not happen.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong and what to do, for a person.' }),
    code: t.string({ description: 'Stable machine code (VALIDATION_FAILED, NOT_FOUND, FORBIDDEN, CONFLICT, RATE_LIMITED, OUTCOME_UNKNOWN).', resolve: (e) => (e.code === 'BAD_USER_INPUT' ? 'VALIDATION_FAILED' : e.code) }),
  }),
});

const FieldProblemRef = builder.simpleObject('FieldProblem', {
  description: 'One invalid input field.',
  fields: (t) => ({
    path: t.string({ description: 'The field, as a dotted path from the mutation argument (`input.cards.0.amount`), or as Klarna named it.' }),
    message: t.string({ description: 'What is wrong with it.' }),
  }),
});

builder.objectType(BadUserInputError, {
  name: 'ValidationError',
  description: 'The input was refused; `problems` names every offending field (checked by the gateway first, then by Klarna).',
  interfaces: [UserErrorRef],
  fields: (t) => ({ problems: t.field({ type: [FieldProblemRef], description: 'Every invalid field.', resolve: (e) => e.problems }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'What the mutation names does not exist, or you may not see it.',
  interfaces: [UserErrorRef],
  fields: () => ({}),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'You may not do this (your credentials, or the state of the resource, do not allow it).',
  interfaces: [UserErrorRef],
  fields: () => ({}),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'This conflicts with what exists, e.g. a reference already in use.',
  interfaces: [UserErrorRef],
  fields: () => ({}),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Klarna is limiting requests; nothing was changed. Try again after `retryAfter` seconds.',
  interfaces: [UserErrorRef],
  fields: (t) => ({ retryAfter: t.exposeInt('retryAfter', { description: 'Seconds to wait before trying again.' }) }),
});

builder.objectType(OutcomeUnknownError, {
  name: 'OutcomeUnknownError',
  description:
    'Klarna may or may not have applied this change (it was unavailable or did not answer in time, the connection dropped, the deadline passed). Send the same mutation again with `input.idempotencyKey` set to `idempotencyKey`, after `retryAfter` seconds: it is applied at most once.',
  interfaces: [UserErrorRef],
  fields: (t) => ({
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The key this write was sent with (yours, or the one the gateway made): send it again with this key.' }),
    retryAfter: t.exposeInt('retryAfter', { description: 'Seconds to wait before sending it again.' }),
  }),
});

/** The error types every mutation's result union includes. */
export const MUTATION_ERRORS = [BadUserInputError, NotFoundError, ForbiddenError, ConflictError, RateLimitedError, OutcomeUnknownError];

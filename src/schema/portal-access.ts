/**
 * Klarna Partner Portal access for a merchant's users. The grant is a JWT you sign with your portal key
 * (the gateway cannot sign for you); the gateway reads its claims and refuses a token Klarna would
 * refuse before sending it, then reports what it granted.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { BadUserInputError } from '../errors.ts';
import { builder } from './builder.ts';
import { MUTATION_ERRORS } from './mutation-errors.ts';
import { email, gracePeriod, idempotencyKey, keyFor, krn, parseInput } from './validation.ts';

const KEY = 'Your key for this write; a retry with the same key is applied once. Generated when absent.';

const GrantInput = builder.inputType('GrantPortalAccessInput', {
  description: 'A signed portal access token (JWT).',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    jwt: t.string({
      required: true,
      description:
        'JWT signed with your key (certificate in `x5c`), claims: iss (your account KRN), jti, sub (user e-mail), iat, exp, account_id (merchant KRN), roles, optional expires_at (YYYY-MM-DD) and inactivity_grace_period (P1D to P6M).',
    }),
  }),
});
const RevokeInput = builder.inputType('RevokePortalAccessInput', {
  description: 'Whose access to remove: a merchant account, a user, or both (at least one).',
  fields: (t) => ({
    idempotencyKey: t.string({ description: KEY }),
    accountId: t.id({ description: 'Remove access to this merchant account (KRN).' }),
    principal: t.string({ description: "Remove this user's access (e-mail or portal user KRN)." }),
  }),
});

const claimsSchema = z.object({
  iss: krn,
  jti: z.string().min(1, 'is required'),
  sub: email,
  iat: z.number().int('must be seconds since the epoch'),
  exp: z.number().int('must be seconds since the epoch').refine((exp) => exp * 1000 > Date.now(), 'has passed'),
  account_id: krn,
  roles: z.array(z.string().min(1)).min(1, 'needs at least one role'),
  expires_at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .refine((date) => Date.parse(`${date}T23:59:59Z`) > Date.now(), 'must be in the future')
    .optional(),
  inactivity_grace_period: gracePeriod.optional(),
});

/** The token's claims, checked as Klarna checks them; problems are reported at `input.jwt.<claim>`. */
function readToken(jwt: string): z.infer<typeof claimsSchema> {
  let claims: unknown;
  try {
    decodeProtectedHeader(jwt);
    claims = decodeJwt(jwt);
  } catch {
    throw new BadUserInputError('`input.jwt` is not a JWT (three base64url parts).', [{ path: 'input.jwt', message: 'is not a JWT' }]);
  }
  return parseInput(claimsSchema, claims, 'input.jwt');
}

const PortalAccessOutcome = builder.enumType('PortalAccessOutcome', {
  description: 'What a grant did.',
  values: { CREATED: { description: 'The user got access (and an invitation).' }, UPDATED: { description: "The user's existing access was updated." } } as const,
});

const GrantPayload = builder.simpleObject('GrantPortalAccessPayload', {
  description: 'The access Klarna granted.',
  fields: (t) => ({
    outcome: t.field({ type: PortalAccessOutcome, description: 'Created or updated.' }),
    accountId: t.id({ description: 'The merchant account (KRN).' }),
    userEmail: t.string({ description: 'The user.' }),
    roles: t.stringList({ description: 'The roles granted.' }),
  }),
});
const RevokePayload = builder.simpleObject('RevokePortalAccessPayload', {
  description: 'Access was removed.',
  fields: (t) => ({
    accountId: t.id({ nullable: true, description: 'The account whose access was removed, if named.' }),
    principal: t.string({ nullable: true, description: 'The user whose access was removed, if named.' }),
  }),
});

const grantSchema = z.object({ idempotencyKey: idempotencyKey.nullish(), jwt: z.string().min(1).max(16_384) });
const revokeSchema = z
  .object({ idempotencyKey: idempotencyKey.nullish(), accountId: krn.nullish(), principal: z.union([email, krn]).nullish() })
  .refine((input) => input.accountId || input.principal, { message: 'give accountId, principal or both', path: ['accountId'] });

builder.mutationFields((t) => ({
  grantPortalAccess: t.field({
    type: GrantPayload,
    description: 'Gives a user access to a merchant account in the Klarna Partner Portal.',
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: GrantInput, required: true, description: 'The signed token.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(grantSchema, args.input);
      const claims = readToken(input.jwt);
      const outcome = await context.pm.grantPortalAccess(input.jwt, keyFor(input));
      return { outcome, accountId: claims.account_id, userEmail: claims.sub, roles: claims.roles };
    },
  }),
  revokePortalAccess: t.field({
    type: RevokePayload,
    description: "Removes users' access to merchant accounts in the Klarna Partner Portal.",
    errors: { types: MUTATION_ERRORS },
    args: { input: t.arg({ type: RevokeInput, required: true, description: 'Whose access.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(revokeSchema, args.input);
      await context.pm.revokePortalAccess(input, keyFor(input));
      return { accountId: input.accountId ?? null, principal: input.principal ?? null };
    },
  }),
}));

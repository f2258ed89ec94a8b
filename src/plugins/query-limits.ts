/**
 * Limits on the shape of a document, checked while it is parsed and validated, so an abusive one is
 * refused in milliseconds and before any call to Klarna (graphql-armor's rules, with our codes):
 *
 * - tokens (`TOO_MANY_TOKENS`): parsing stops at the limit, so a huge document costs no more than that;
 * - depth (`QUERY_TOO_DEEP`), aliases (`TOO_MANY_ALIASES`) and directives (`TOO_MANY_DIRECTIVES`) per
 *   operation.
 *
 * What an operation costs is not judged here by list arithmetic: `operation-cost.ts` plans the upstream
 * calls it will make and the rows it may answer, and refuses it over those limits before it runs.
 *
 * The validation rules report their refusal as a validation error (HTTP 400) rather than throwing: a
 * thrown error would end a whole WebSocket connection, not just the one operation.
 *
 * Introspection is left to `introspection.ts` (armor skips `__schema` for depth, so GraphiQL's
 * own introspection query, 21 levels deep, passes).
 */
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal, type RefusalCode } from './refusals.ts';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

/** Armor's messages start with "Syntax Error: " even for validation; the rest names the limit. */
const messageOf = (error: GraphQLError) => error.message.replace(/^Syntax Error:\s*/, '');

/** For a validation rule: report the refusal on the context, do not throw. */
function reported(code: RefusalCode) {
  return {
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(refusal(code, messageOf(error)))],
  };
}

/**
 * Armor's plugins themselves, in its order: what `EnvelopArmorPlugin` would add from its `onPluginInit`
 * at the same place. Handed over as a list, they are no plugin with `onPluginInit` that ends the gateway's
 * runs of fused request hooks (`fused-hooks.ts`).
 */
export function queryLimitPlugins(limits: QueryLimits): Plugin[] {
  return new EnvelopArmor({
    // Suggestions are hidden by `hide-suggestions.ts`, which also covers enum values and variables.
    blockFieldSuggestion: { enabled: false },
    maxTokens: {
      n: limits.maxTokens,
      // Parsing has no validation context: the refusal is thrown, and parsing stops there.
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          throw refusal('TOO_MANY_TOKENS', messageOf(error));
        },
      ],
    },
    // Fragments count as what they contain, not as a level of their own.
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ...reported('QUERY_TOO_DEEP') },
    // `__typename` aliases count too (armor lets them pass by default): free to answer, but a document of
    // hundreds is an amplification probe all the same, and scanners flag a gateway that serves it.
    maxAliases: { n: limits.maxAliases, allowList: [], ...reported('TOO_MANY_ALIASES') },
    maxDirectives: { n: limits.maxDirectives, ...reported('TOO_MANY_DIRECTIVES') },
    // Replaced by the planned cost (`operation-cost.ts`): armor's list arithmetic turned away a dashboard
    // of 100 store groups that costs Klarna two calls, and passed fan-outs that cost a hundred.
    costLimit: { enabled: false },
  }).protect().plugins as Plugin[];
}

/**
 * Introspection off (production, unless `INTROSPECTION=true`): `__schema` and `__type` are refused
 * with INTROSPECTION_DISABLED, as a validation error, before anything runs. `__typename` stays: clients
 * need it for unions.
 *
 * When introspection is on, the "circular introspection" attack (`types { fields { type { fields {
 * type { fields ... } } } } }`, whose answer multiplies at every level) is refused by graphql-js's own
 * `MaxIntrospectionDepthRule` (one of its specified rules since 16.9: at most 3 nested lists of
 * `fields`, `interfaces`, `possibleTypes`, `inputFields`), with GRAPHQL_VALIDATION_FAILED and the
 * message "Maximum introspection depth exceeded". GraphiQL's own introspection query needs 2.
 */
import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusals.ts';

const introspectionDisabled: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        refusal('INTROSPECTION_DISABLED', 'Introspection is disabled on this gateway. The schema is published with its documentation.', { nodes: [node] }),
      );
    }
  },
});

export function useIntrospectionPolicy({ enabled }: { enabled: boolean }): Plugin {
  return enabled ? {} : { onValidate: ({ addValidationRule }) => addValidationRule(introspectionDisabled) };
}

/**
 * Hides graphql-js's "Did you mean ...?" hints, which would reveal field, argument, type and enum
 * value names to someone probing a schema that is not introspectable. On when introspection is off.
 *
 * Covers validation errors (`{ acount }`, `state: ACTIV`) and execution errors (a variable's enum
 * value), over HTTP and WebSocket alike. graphql-armor's own plugin only covers the first kind and
 * misses "Did you mean the enum value ...?".
 */
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function hide<T>(error: T): T {
  if (error instanceof GraphQLError) error.message = error.message.replace(SUGGESTION, '');
  return error;
}

export function useHiddenSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(hide));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result) && result.errors) setResult({ ...result, errors: result.errors.map(hide) });
        },
      };
    },
  };
}

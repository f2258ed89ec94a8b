/**
 * The HTTP envelope of a GraphQL request (the body or query string holding `query`, `variables`,
 * `operationName`, `extensions`), checked before any operation in it is looked at, so that bad input
 * is a client error with a code, never an internal one with a stack in the log:
 *
 * - a body or parameter that does not parse (`variables=%7B` in a GET, form fields, a JSON body) is
 *   400 `BAD_REQUEST` naming what did not parse (Yoga's GET and form parsers throw a bare
 *   `SyntaxError`, which would be masked as INTERNAL_SERVER_ERROR and logged three times);
 * - a POST whose `Content-Type` no parser reads is 415 `UNSUPPORTED_MEDIA_TYPE` (Yoga: an empty 415);
 * - each operation's parameters (each item of a batch) must be an object with `query` and
 *   `operationName` strings, `variables` and `extensions` objects (each may be absent or null), else
 *   400 `BAD_REQUEST`. Yoga checks most of these too, but only after every plugin of ours has read them
 *   (an `operationName` of 5 reached the operation log).
 *
 * Registered after the CSRF check and the body limit (which refuse with their own codes first), and
 * before every plugin that reads an operation's parameters.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusals.ts';

const badRequest = (message: string) => refusal('BAD_REQUEST', message, { status: 400 });

/** The parameters carried as JSON text in a query string or form (`variables`, `extensions`) that do not parse. */
function unreadableJsonParameters(search: URLSearchParams): string[] {
  return ['variables', 'extensions'].filter((name) => {
    const text = search.get(name);
    if (!text) return false;
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
}

/** Why a request could not be parsed, for the client, from the parser's error (never its text). */
async function parseFailure(request: Request): Promise<GraphQLError> {
  const contentType = request.headers.get('content-type') ?? '';
  const form = request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
  const search = request.method === 'GET' ? new URL(request.url, 'http://gateway.internal').searchParams : undefined;
  const unreadable = search ? unreadableJsonParameters(search) : [];
  if (unreadable.length) return badRequest(`The ${unreadable.map((name) => `\`${name}\``).join(' and ')} parameter is not valid JSON (URL-encode a JSON object).`);
  if (form) return badRequest('The form body could not be read: `variables` and `extensions` must be JSON objects.');
  return badRequest('The request could not be read: send a JSON body { "query": "...", "variables": { ... } }, or a GET with `query` in the URL.');
}

const TYPES = { query: 'a string', operationName: 'a string', variables: 'an object', extensions: 'an object' } as const;

/** What is wrong with one operation's parameters, if anything. */
function paramsProblem(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return 'Each operation must be a JSON object { "query": "...", "variables": { ... } }.';
  }
  for (const [name, expected] of Object.entries(TYPES)) {
    const value = (params as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    const fits = expected === 'a string' ? typeof value === 'string' : typeof value === 'object' && !Array.isArray(value);
    if (!fits) return `\`${name}\` must be ${expected}.`;
  }
  return undefined;
}

export function useRequestEnvelope(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (!requestParser) {
        if (request.method !== 'POST') return; // Yoga answers other methods (405)
        const body = JSON.stringify({
          errors: [{ message: 'Send the operation as JSON (Content-Type: application/json), or as a GET query string.', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }],
        });
        return endResponse(new fetchAPI.Response(body, { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } }));
      }
      const parse = requestParser;
      setRequestParser(async (incoming) => {
        try {
          return await parse(incoming);
        } catch (error) {
          // Our refusals (REQUEST_TOO_LARGE) and Yoga's own (BAD_REQUEST) carry their codes already.
          if (error instanceof GraphQLError) throw error;
          throw await parseFailure(incoming);
        }
      });
    },
    onParams({ params }) {
      const problem = paramsProblem(params);
      if (problem) throw badRequest(problem);
    },
  };
}

/**
 * The `Accept` header, checked before anything runs. Yoga picks the answer's media type only once
 * the result exists, and answers 406 then: a mutation sent with `Accept: application/xml` was applied
 * and its answer thrown away. Here the same choice is made first:
 *
 * - `useAcceptCheck` (the request, before its body is read): an `Accept` that none of the media types
 *   the gateway answers in matches is refused with 406 `NOT_ACCEPTABLE` (a JSON body, as a client
 *   that names only other types may still read it). Accepted, as Yoga reads them: `application/json`,
 *   `application/graphql-response+json`, `multipart/mixed`, `text/event-stream`, wildcards (`*\/*`,
 *   `application/*`), no `Accept` at all. (A browser's GET of GraphiQL, `text/html`, is answered
 *   before this, by GraphiQL or by its "off" hint.)
 * - `useStreamingAcceptCheck` (an operation, after validation, before it executes or subscribes): an
 *   answer in parts (`@defer`/`@stream`, a subscription) needs `multipart/mixed` or
 *   `text/event-stream` (a subscription over HTTP: `text/event-stream`), else 406 `NOT_ACCEPTABLE`.
 *
 * Media types are read as Yoga reads them (`charset` other than utf-8 excludes a type; `q` is ignored),
 * so what passes here is what Yoga can answer. graphql-ws operations carry no `Accept` and pass.
 */
import { Kind, OperationTypeNode, getOperationAST, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusals.ts';

const SINGLE = ['application/graphql-response+json', 'application/json'];
const MULTIPART = 'multipart/mixed';
const EVENT_STREAM = 'text/event-stream';
const ANY_ANSWER = [...SINGLE, MULTIPART, EVENT_STREAM];

/** The media types an `Accept` value accepts, as Yoga reads them. */
function parseAccept(accept: string): readonly string[] {
  const types: string[] = [];
  for (const entry of accept.replace(/\s/g, '').toLowerCase().split(',')) {
    const [type = '', ...parameters] = entry.split(';');
    const charset = parameters.find((parameter) => parameter.startsWith('charset='));
    if (charset === undefined || charset === 'charset=utf-8') types.push(type);
  }
  return types;
}

/** An `Accept` value read: its media types, and whether one of them covers an answer the gateway gives. */
interface ReadAccept {
  types: readonly string[];
  answerable: boolean;
}

/**
 * `Accept` values already read: clients send a handful of distinct ones, each read once instead of
 * per request. Bounded: once full, other values are read each time (a client cannot grow it).
 */
const readAccepts = new Map<string, ReadAccept>();
const MAX_READ_ACCEPTS = 64;

function readAccept(headers: Headers): ReadAccept {
  const accept = headers.get('accept') || '*/*';
  let read = readAccepts.get(accept);
  if (!read) {
    const types = parseAccept(accept);
    read = { types, answerable: acceptsAnyOf(types, ANY_ANSWER) };
    if (readAccepts.size < MAX_READ_ACCEPTS) readAccepts.set(accept, read);
  }
  return read;
}

/** The media types a request accepts, as Yoga reads its `Accept` (absent: `*\/*`). */
export function acceptedMediaTypes(headers: Headers): readonly string[] {
  return readAccept(headers).types;
}

/** Whether an accepted type (`*\/*`, `application/*`, or exact) covers one the gateway answers in. */
function covers(accepted: string, offered: string): boolean {
  const [acceptedType, acceptedSubtype] = accepted.split('/');
  const [type, subtype] = offered.split('/');
  return (acceptedType === '*' || acceptedType === type) && (acceptedSubtype === '*' || acceptedSubtype === subtype);
}

const acceptsAnyOf = (accepted: readonly string[], offered: readonly string[]) => accepted.some((type) => offered.some((candidate) => covers(type, candidate)));

const notAcceptable = (message: string) => refusal('NOT_ACCEPTABLE', message, { status: 406 });

export function useAcceptCheck(): Plugin {
  const body = JSON.stringify({
    errors: [
      {
        message: `The Accept header names no media type the gateway answers in: send Accept: ${SINGLE.join(', ')} (or ${MULTIPART}, ${EVENT_STREAM} for answers in parts).`,
        extensions: { code: 'NOT_ACCEPTABLE' },
      },
    ],
  });
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (readAccept(request.headers).answerable) return;
      endResponse(new fetchAPI.Response(body, { status: 406, headers: { 'content-type': 'application/json; charset=utf-8', accept: ANY_ANSWER.join(', ') } }));
    },
  };
}

/** Whether the document uses `@defer` or `@stream` anywhere (its answer may then come in parts). */
export function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.DIRECTIVE](node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

type OperationArgs = { args: { document: DocumentNode; operationName?: string | null | undefined; contextValue: unknown } };

export function useStreamingAcceptCheck(): Plugin {
  // Parsed documents are reused (Yoga's parser cache): each is looked through once.
  const incremental = new WeakMap<DocumentNode, boolean>();
  const isIncremental = (document: DocumentNode) => {
    let known = incremental.get(document);
    if (known === undefined) incremental.set(document, (known = usesIncrementalDelivery(document)));
    return known;
  };
  /** The refusal for this operation, if its answer comes in parts the request cannot take. */
  function check({ args }: OperationArgs) {
    const request = (args.contextValue as { request?: Request }).request;
    if (!request) return undefined;
    const accepted = acceptedMediaTypes(request.headers);
    const subscription = getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.SUBSCRIPTION;
    if (subscription) {
      return acceptsAnyOf(accepted, [EVENT_STREAM]) ? undefined : notAcceptable(`A subscription over HTTP is answered as server-sent events: send Accept: ${EVENT_STREAM} (or use graphql-ws).`);
    }
    if (acceptsAnyOf(accepted, [MULTIPART, EVENT_STREAM]) || !isIncremental(args.document)) return undefined;
    return notAcceptable(`An operation with @defer or @stream is answered in parts: send Accept: ${MULTIPART} or ${EVENT_STREAM}.`);
  }
  return {
    onExecute(payload) {
      const error = check(payload);
      if (error) payload.setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe(payload) {
      const error = check(payload);
      if (error) payload.setResultAndStopExecution({ errors: [error] });
    },
  };
}

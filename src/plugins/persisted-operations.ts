/**
 * Persisted operations: clients name an operation by the sha256 of its text instead of, or beside,
 * sending the text. Every form the ecosystem uses is understood:
 * - Apollo's `extensions.persistedQuery.sha256Hash` (version 1), in a POST body or a GET's `extensions`;
 * - the GraphQL-over-HTTP persisted-documents `documentId` (a POST body field or a GET parameter),
 *   `sha256:<hex>` (the spec's and GraphQL Code Generator's form) or the bare hex.
 *
 * - A manifest (`PERSISTED_OPERATIONS_MANIFEST`, a JSON file `{ "<hash>": "<document>" }`, the hash
 *   `sha256:<hex>` as GraphQL Code Generator's client preset writes `persisted-documents.json`, or the
 *   bare lower-case hex) is read at boot; every key must be its document's hash and every document must
 *   parse, or start-up fails.
 * - Allow-list mode (`PERSISTED_OPERATIONS_ONLY=true`, needs a manifest): only the manifest's
 *   documents run. An HTTP request with a document is refused with `PERSISTED_QUERY_ONLY` (send the
 *   hash alone). Over WebSocket a message may name a listed document by hash (`query: ""` beside
 *   `documentId` or `extensions.persistedQuery`), or send a document whose normal form
 *   (`document-normal-form.ts`: whitespace, order and Apollo's `__typename` aside) is a listed one's:
 *   graphql-ws clients send the text they print, not the manifest's. Automatic registration is off in
 *   this mode (it would let any client add to the list).
 * - Otherwise, automatic persisted queries (APQ): a hash the gateway does not know is answered
 *   `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, what Apollo clients look for), the
 *   client sends hash and document, the gateway checks the hash (`PERSISTED_QUERY_HASH_MISMATCH`
 *   otherwise: no one can plant a different document under another's hash) and keeps the document in
 *   an LRU of at most `APQ_CACHE_BYTES` of documents. The LRU is per process: each replica learns
 *   each document once, and after a restart clients send it once more (the protocol's normal retry).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { normalForm } from './document-normal-form.ts';

export interface PersistedOperationsOptions {
  /** Documents by the lower-case sha256 hex of their text (no `sha256:` prefix). */
  manifest: ReadonlyMap<string, string>;
  /** Refuse every document not in the manifest. */
  only: boolean;
  /** Bytes of documents kept for APQ; 0 turns APQ off. Ignored in allow-list mode. */
  apqCacheBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** `sha256:<hex>` (GraphQL-over-HTTP's document identifier, GraphQL Code Generator's key) or the bare hex. */
const SHA256_ID = /^(?:sha256:)?([0-9a-fA-F]{64})$/;
const ONLY_MESSAGE = 'Only persisted operations are accepted: send the documentId (or extensions.persistedQuery.sha256Hash) of a listed operation.';

/** A refusal of the whole request, with its stable code and HTTP status. */
const refusal = (code: string, message: string, status: number) => new GraphQLError(message, { extensions: { code, http: { status } } });
export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The lower-case hex of a sha256 document id (`sha256:<hex>` or `<hex>`); an id of another form is returned as it is (it names nothing). */
const hexOf = (id: string) => SHA256_ID.exec(id)?.[1]?.toLowerCase() ?? id;

/** Reads and checks a manifest file; throws with the reason (start-up fails). */
export function loadManifest(path: string): Map<string, string> {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST: cannot read ${path} as JSON: ${String(error)}`, { cause: error });
  }
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST: ${path} must be a JSON object { "sha256:<hex>": "<document>" }`);
  }
  const manifest = new Map<string, string>();
  for (const [key, document] of Object.entries(entries)) {
    const hash = hexOf(key);
    if (!SHA256_HEX.test(hash) || typeof document !== 'string' || sha256Hex(document) !== hash) {
      throw new Error(`PERSISTED_OPERATIONS_MANIFEST: entry ${key.slice(0, 80)} is not a document under the sha256 hex of its text ("sha256:<hex>" or "<hex>")`);
    }
    parse(document); // a syntax error stops start-up here, not the first client that uses it
    manifest.set(hash, document);
  }
  return manifest;
}

/** The names of the manifest's operations (the only names the metrics label when there is a manifest). */
export function manifestOperationNames(manifest: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>();
  for (const document of manifest.values()) {
    for (const definition of parse(document).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
  }
  return names;
}

/** What a request (HTTP parameters or a graphql-ws message) may name its document by; `documentId` is read beside these. */
interface PersistedParams {
  query?: string | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

/**
 * The hash a request names its document by, as lower-case hex: `documentId` (a POST body field, or a
 * GET parameter, which Yoga's own GET parser does not keep) before `extensions.persistedQuery`.
 */
export function persistedHash(params: PersistedParams, request?: Request): string | undefined {
  let id: unknown = (params as { documentId?: unknown }).documentId;
  if (id == null && request?.method === 'GET') id = new URL(request.url, 'http://gateway.internal').searchParams.get('documentId');
  if (id == null || id === '') {
    const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
    if (persisted?.version === 1) id = persisted.sha256Hash;
  }
  return typeof id === 'string' && id ? hexOf(id) : undefined;
}

/** Registers APQ documents (hash and document both sent) after checking the hash. */
function useApqRegistration(cache: LRUCache<string, string>): Plugin {
  return {
    onParams({ params }) {
      // APQ is Apollo's protocol: a `documentId` beside a document registers nothing (Yoga refuses the pair).
      if ((params as { documentId?: unknown }).documentId != null) return;
      const hash = persistedHash(params);
      if (hash === undefined || !params.query) return;
      if (sha256Hex(params.query) !== hash) {
        throw refusal('PERSISTED_QUERY_HASH_MISMATCH', 'The sha256Hash of extensions.persistedQuery is not the hash of the document sent.', 400);
      }
      cache.set(hash, params.query);
    },
  };
}

/**
 * In allow-list mode, no document outside the manifest is parsed, whichever way it came: over HTTP the
 * only text that gets here is the manifest's (a request with a document was refused), over WebSocket
 * the client's, accepted when its normal form is a listed document's.
 */
function useManifestOnly(documents: ReadonlySet<string>): Plugin {
  const normalForms = new Set([...documents].map((document) => normalForm(parse(document))));
  return {
    onParse({ params, parseFn, setParsedDocument }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (documents.has(source)) return;
      let document: DocumentNode;
      try {
        document = parseFn(source, params.options); // with the token limit of the parser in place
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions.code) throw error; // TOO_MANY_TOKENS
        throw refusal('PERSISTED_QUERY_ONLY', ONLY_MESSAGE, 400);
      }
      if (!normalForms.has(normalForm(document))) throw refusal('PERSISTED_QUERY_ONLY', ONLY_MESSAGE, 400);
      setParsedDocument(document); // the document of this very text: Yoga's parse cache stays right
    },
  };
}

/**
 * For graphql-ws: the listed document a message names by hash alone (`query: ""` beside `documentId`
 * or `extensions.persistedQuery`); undefined when the message carries its own text.
 */
export function manifestDocumentOf(manifest: ReadonlyMap<string, string>) {
  return (payload: PersistedParams): string | undefined => {
    if (payload.query?.trim()) return undefined;
    const hash = persistedHash(payload);
    if (hash === undefined) return undefined;
    const document = manifest.get(hash);
    if (document === undefined) throw refusal('PERSISTED_QUERY_NOT_FOUND', 'The operation is not in the list of persisted operations.', 400);
    return document;
  };
}

export function persistedOperationPlugins(options: PersistedOperationsOptions): Plugin[] {
  const { manifest, only } = options;
  const apq = !only && options.apqCacheBytes > 0 ? new LRUCache<string, string>({ maxSize: options.apqCacheBytes, sizeCalculation: (document) => Math.max(1, document.length) }) : undefined;
  if (!only && !apq && manifest.size === 0) return [];
  const notFound = only
    ? { message: 'The operation is not in the list of persisted operations.', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } } }
    : { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200 } } };
  return [
    ...(apq ? [useApqRegistration(apq)] : []),
    usePersistedOperations({
      // In allow-list mode a request carrying a document is refused even beside a listed hash: send the hash alone.
      allowArbitraryOperations: !only,
      extractPersistedOperationId: (params, request) => persistedHash(params, request) ?? null,
      getPersistedOperation: (hash) => manifest.get(hash) ?? apq?.get(hash) ?? null,
      customErrors: {
        notFound,
        persistedQueryOnly: { message: ONLY_MESSAGE, extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
        keyNotFound: { message: 'Send a document, or the documentId (or extensions.persistedQuery.sha256Hash) of a persisted one.', extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } } },
      },
    }),
    ...(only ? [useManifestOnly(new Set(manifest.values()))] : []),
  ];
}

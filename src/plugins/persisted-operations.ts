/**
 * Persisted operations: clients send `extensions.persistedQuery.sha256Hash` (version 1, Apollo's form)
 * instead of, or beside, the document.
 *
 * - A manifest (`PERSISTED_OPERATIONS_MANIFEST`, a JSON file `{ "<sha256 hex of the document>":
 *   "<document>" }`) is read at boot; every key must be its document's hash and every document must
 *   parse, or start-up fails.
 * - Allow-list mode (`PERSISTED_OPERATIONS_ONLY=true`, needs a manifest): only the manifest's
 *   documents run. A request with a document is refused with `PERSISTED_QUERY_ONLY` unless it names a
 *   manifest entry by hash; over WebSocket, where clients send documents, a document must be one of the
 *   manifest's, character for character. Automatic registration is off in this mode (it would let
 *   any client add to the list).
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
import { GraphQLError, Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

export interface PersistedOperationsOptions {
  /** Documents by the sha256 hex of their text. */
  manifest: ReadonlyMap<string, string>;
  /** Refuse every document not in the manifest. */
  only: boolean;
  /** Bytes of documents kept for APQ; 0 turns APQ off. Ignored in allow-list mode. */
  apqCacheBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ONLY_MESSAGE = 'Only persisted operations are accepted: send extensions.persistedQuery.sha256Hash of a listed operation.';

/** A refusal of the whole request, with its stable code and HTTP status. */
const refusal = (code: string, message: string, status: number) => new GraphQLError(message, { extensions: { code, http: { status } } });
export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Reads and checks a manifest file; throws with the reason (start-up fails). */
export function loadManifest(path: string): Map<string, string> {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST: cannot read ${path} as JSON: ${String(error)}`, { cause: error });
  }
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new Error(`PERSISTED_OPERATIONS_MANIFEST: ${path} must be a JSON object { "<sha256 hex>": "<document>" }`);
  }
  const manifest = new Map<string, string>();
  for (const [hash, document] of Object.entries(entries)) {
    if (!SHA256_HEX.test(hash) || typeof document !== 'string' || sha256Hex(document) !== hash) {
      throw new Error(`PERSISTED_OPERATIONS_MANIFEST: entry ${hash.slice(0, 80)} is not a document under the lower-case sha256 hex of its text`);
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

function persistedHash(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/** Registers APQ documents (hash and document both sent) after checking the hash. */
function useApqRegistration(cache: LRUCache<string, string>): Plugin {
  return {
    onParams({ params }) {
      const hash = persistedHash(params.extensions);
      if (hash === undefined || !params.query) return;
      if (sha256Hex(params.query) !== hash) {
        throw refusal('PERSISTED_QUERY_HASH_MISMATCH', 'The sha256Hash of extensions.persistedQuery is not the hash of the document sent.', 400);
      }
      cache.set(hash, params.query);
    },
  };
}

/** In allow-list mode, no document outside the manifest is parsed, whichever way it came (HTTP or WebSocket). */
function useManifestOnly(documents: ReadonlySet<string>): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (!documents.has(source)) throw refusal('PERSISTED_QUERY_ONLY', ONLY_MESSAGE, 400);
    },
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
      getPersistedOperation: (hash) => manifest.get(hash) ?? apq?.get(hash) ?? null,
      customErrors: {
        notFound,
        persistedQueryOnly: { message: ONLY_MESSAGE, extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
        keyNotFound: { message: 'Send a document, or extensions.persistedQuery.sha256Hash of a persisted one.', extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } } },
      },
    }),
    ...(only ? [useManifestOnly(new Set(manifest.values()))] : []),
  ];
}

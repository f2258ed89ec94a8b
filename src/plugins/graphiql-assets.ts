/**
 * GraphiQL's files (its JS bundle, CSS, favicon and the three Monaco workers, all from
 * `@graphql-yoga/render-graphiql`, so nothing is fetched off this machine) served as separate,
 * content-hashed URLs under `/graphiql/assets/`: `Cache-Control: public, max-age=31536000, immutable`,
 * in brotli or gzip as the request's `Accept-Encoding` allows (`Vary: Accept-Encoding`), so a browser
 * downloads them once (2.1 MB in brotli, instead of a 9 MB page on every visit). Each file is
 * compressed once per process, begun by the first GraphiQL request (a process that never serves
 * GraphiQL, such as a test or production with it off, spends nothing); a compressed answer carries its
 * `Content-Encoding`, so no compression layer compresses it again.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

interface RenderGraphiqlParts {
  js: string;
  css: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

/**
 * The bundle's parts. The package exports only its page renderer, so the parts are read from the file
 * beside its entry (an absolute path, which the package's `exports` map does not restrict).
 */
function loadParts(): RenderGraphiqlParts {
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve('@graphql-yoga/render-graphiql')), 'graphiql.js')) as RenderGraphiqlParts;
}

/**
 * GraphiQL's tabs are motion `Reorder.Item`s constrained to the tab list, and motion re-scales a
 * constrained item's offset whenever the item or the list is resized (a web font swapping in on a first
 * visit, the docs pane opening, the window resizing). A resting tab has offset 0, yet the re-scale
 * computes a non-zero one and leaves it there: GraphiQL's CSS hides it until the tab is focused, so the
 * mousedown that focuses a tab makes it jump away and the click lands elsewhere (tabs do not switch with
 * the mouse). A tab only moves while it is dragged, so the re-scale is limited to a dragged tab.
 */
const MOTION_RESCALE = 'scalePositionWithinConstraints(){if(!this.visualElement.current)return;';
const MOTION_RESCALE_WHILE_DRAGGED = 'scalePositionWithinConstraints(){if(!this.visualElement.current||!this.isDragging)return;';

/**
 * GraphiQL keeps the operation name of the document in its editor, re-read 100 ms after the editor
 * changes (longer on a busy machine). Switching or closing a tab replaces the editor's text but not that
 * name, so a Run in between sends the new tab's document with the previous tab's operation name, and the
 * fetcher answers "Cannot infer operation <previous name>" without sending anything. The tab's own stored
 * name (null for a tab not yet edited, which lets the fetcher take the document's only operation) is
 * taken along with its text.
 */
const CHANGE_TAB_END = 'i(c.tabs[c.activeTabIndex]),l?.(c),c})}';
const CHANGE_TAB_END_WITH_NAME = 'i(c.tabs[c.activeTabIndex]),l?.(c),{...c,operationName:c.tabs[c.activeTabIndex].operationName??null}})}';
const CLOSE_TAB_END = 'i(d.tabs[d.activeTabIndex]),l?.(d),d})}';
const CLOSE_TAB_END_WITH_NAME = 'i(d.tabs[d.activeTabIndex]),l?.(d),{...d,operationName:d.tabs[d.activeTabIndex]?.operationName??null}})}';

/** Replaces `from`, which must occur exactly once (else the bundle changed and the fix must be checked again). */
function replaceOnce(js: string, from: string, to: string, fix: string): string {
  const at = js.indexOf(from);
  if (at < 0 || js.indexOf(from, at + 1) >= 0) {
    throw new Error(`GraphiQL bundle changed: the ${fix} fix (src/plugins/graphiql-assets.ts) no longer applies; check the tabs in Chromium.`);
  }
  return js.slice(0, at) + to + js.slice(at + from.length);
}

/** The served bundle: GraphiQL's, with the tab fixes above. */
export function patchGraphiqlBundle(js: string): string {
  let patched = replaceOnce(js, MOTION_RESCALE, MOTION_RESCALE_WHILE_DRAGGED, 'tab re-scale');
  patched = replaceOnce(patched, CHANGE_TAB_END, CHANGE_TAB_END_WITH_NAME, 'tab-switch operation name');
  return replaceOnce(patched, CLOSE_TAB_END, CLOSE_TAB_END_WITH_NAME, 'tab-close operation name');
}

export interface GraphiqlAsset {
  /** The URL path, `/graphiql/assets/<name>-<hash>.<ext>`. */
  path: string;
  type: string;
  identity: Buffer;
}

function asset(name: string, ext: string, type: string, body: Buffer): GraphiqlAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { path: `${GRAPHIQL_ASSETS_PATH}${name}-${hash}.${ext}`, type, identity: body };
}

function dataUrlBytes(dataUrl: string): { type: string; body: Buffer } {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(dataUrl);
  if (!match) throw new Error('GraphiQL favicon is not a base64 data: URL');
  return { type: match[1] as string, body: Buffer.from(match[2] as string, 'base64') };
}

/** The hashed assets, by role; made once per process (hashing is cheap, compression waits for a request). */
function buildAssets() {
  const parts = loadParts();
  const js = 'text/javascript; charset=utf-8';
  const icon = dataUrlBytes(parts.favicon);
  return {
    js: asset('graphiql', 'js', js, Buffer.from(patchGraphiqlBundle(parts.js))),
    css: asset('graphiql', 'css', 'text/css; charset=utf-8', Buffer.from(parts.css)),
    favicon: asset('favicon', 'ico', icon.type, icon.body),
    editorWorker: asset('editor.worker', 'js', js, Buffer.from(parts.editorWorkerService)),
    jsonWorker: asset('json.worker', 'js', js, Buffer.from(parts.jsonWorker)),
    graphqlWorker: asset('graphql.worker', 'js', js, Buffer.from(parts.graphqlWorker)),
  };
}
export type GraphiqlAssets = ReturnType<typeof buildAssets>;

let assets: GraphiqlAssets | undefined;
export function graphiqlAssets(): GraphiqlAssets {
  return (assets ??= buildAssets());
}

type Encoding = 'br' | 'gzip';
const compressors: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  // Brotli quality 9: about a tenth smaller than gzip at a few seconds for all files (11 takes ~40 s).
  br: (body) => promisify(brotliCompress)(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};
const compressed = new Map<string, Promise<Buffer>>();
function compressedBody(item: GraphiqlAsset, encoding: Encoding): Promise<Buffer> {
  const key = `${encoding} ${item.path}`;
  let body = compressed.get(key);
  if (!body) compressed.set(key, (body = compressors[encoding](item.identity)));
  return body;
}

/** Starts compressing every asset in both encodings (in zlib's thread pool; idempotent). */
export function precompressGraphiqlAssets(): void {
  for (const item of Object.values(graphiqlAssets())) for (const encoding of ['br', 'gzip'] as const) void compressedBody(item, encoding);
}

/**
 * The encoding to answer in, by the request's `Accept-Encoding`: the one it weighs highest of brotli and
 * gzip (brotli on a tie, `*` standing for either, `q=0` refusing one); none: the plain bytes.
 */
export function negotiateEncoding(acceptEncoding: string | null): Encoding | undefined {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    if (name) weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: Encoding) => weights.get(name) ?? weights.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).reduce((chosen, name) => (weight(name) > weight(chosen) ? name : chosen));
  return weight(best) > 0 ? best : undefined;
}

/** Answers `GET`/`HEAD /graphiql/assets/<name>-<hash>.<ext>` (an unknown name: 404). */
export function useGraphiqlAssets(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      // Not `async` for every other path: a promise from each onRequest hook lengthens every request's chain.
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      return serveAsset(request, url.pathname, fetchAPI).then(endResponse);
    },
  };
}

async function serveAsset(request: Request, pathname: string, fetchAPI: { Response: typeof Response }): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
  const item = Object.values(graphiqlAssets()).find((candidate) => candidate.path === pathname);
  if (!item) return new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  precompressGraphiqlAssets();
  const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
  const body = encoding ? await compressedBody(item, encoding) : item.identity;
  const headers: Record<string, string> = {
    'content-type': item.type,
    'content-length': String(body.length),
    'cache-control': IMMUTABLE,
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
  };
  if (encoding) headers['content-encoding'] = encoding;
  return new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

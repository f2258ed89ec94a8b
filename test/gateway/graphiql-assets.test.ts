/**
 * GraphiQL over HTTP: a small page (no-store) that loads content-hashed files from this server, each
 * cacheable for a year and answered in brotli or gzip as asked, decoding to the very bytes of the plain
 * answer; the example tabs are pretty-printed; the bundle carries the tab fix.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse, print } from 'graphql';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { GRAPHIQL_TABS } from '../../src/examples.ts';
import { negotiateEncoding, patchGraphiqlBundle } from '../../src/plugins/graphiql-assets.ts';
import { useGateway } from '../utils/gateway.ts';

/** The page measured 8,438 bytes when written (the 7 tabs' text is most of it); it was 9,058,762. */
const PAGE_LIMIT = 16_000;

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}

describe('GraphiQL assets', () => {
  const context = useGateway();
  const page = () => get(context.gateway.graphqlUrl, { accept: 'text/html', 'accept-encoding': 'identity' });
  const assetPaths = (html: string) => [...html.matchAll(/(?:src|href)="(\/graphiql\/assets\/[^"]+)"/g)].map((match) => match[1] as string);

  it(`serves a page under ${PAGE_LIMIT} bytes that loads its files from this server`, async () => {
    const { status, headers, body } = await page();
    const html = body.toString();
    expect(status).toBe(200);
    expect(body.length).toBeLessThan(PAGE_LIMIT);
    expect(headers['cache-control']).toBe('no-store');
    expect(html).not.toMatch(/(?:src|href)=["']https?:/i);
    // The bundle, its stylesheet and the favicon are links; the three Monaco workers are named in the script.
    expect(assetPaths(html).map((path) => path.replace(/-[\w-]{16}\./, '.'))).toEqual(
      expect.arrayContaining(['/graphiql/assets/favicon.ico', '/graphiql/assets/graphiql.css', '/graphiql/assets/graphiql.js']),
    );
    expect(html.match(/\/graphiql\/assets\/(?:editor|json|graphql)\.worker-[\w-]{16}\.js/g)).toHaveLength(3);
  });

  it('answers every file content-hashed, immutable for a year, in br or gzip as asked, each decoding to the plain bytes', { timeout: 180_000 }, async () => {
    const html = (await page()).body.toString();
    const paths = [...new Set([...assetPaths(html), ...(html.match(/\/graphiql\/assets\/[\w.-]+\.worker-[\w-]{16}\.js/g) ?? [])])];
    expect(paths).toHaveLength(6);
    const sizes = { plain: 0, br: 0 };
    for (const path of paths) {
      const url = `${context.gateway.url}${path}`;
      const plain = await get(url);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers.vary).toMatch(/accept-encoding/i);
      expect(path, 'the name carries the hash of the content').toContain(createHash('sha256').update(plain.body).digest('base64url').slice(0, 16));

      const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

      const gzip = await get(url, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
      expect(br.body.length).toBeLessThan(plain.body.length);
      sizes.plain += plain.body.length;
      sizes.br += br.body.length;
    }
    // Measured when written: 8,917,678 bytes plain, 2,090,139 in brotli, 2,426,542 in gzip.
    expect(sizes.br).toBeLessThan(sizes.plain / 3);
  });

  it('answers an unknown file 404, never the page', async () => {
    const response = await get(`${context.gateway.url}/graphiql/assets/graphiql-AAAAAAAAAAAAAAAA.js`);
    expect(response.status).toBe(404);
  });

  it('ships the bundle with the tab fixes, and refuses a bundle the fixes no longer fit', async () => {
    const html = (await page()).body.toString();
    const js = assetPaths(html).find((path) => path.endsWith('.js')) as string;
    const bundle = (await get(`${context.gateway.url}${js}`)).body.toString();
    expect(bundle).toContain('scalePositionWithinConstraints(){if(!this.visualElement.current||!this.isDragging)return;');
    expect(bundle).toContain('operationName:c.tabs[c.activeTabIndex].operationName??null');
    expect(bundle).toContain('operationName:d.tabs[d.activeTabIndex]?.operationName??null');
    expect(() => patchGraphiqlBundle('no such code')).toThrow(/GraphiQL bundle changed/);
  });
});

describe('GraphiQL examples', () => {
  // `print` keeps an operation's variable definitions on its first line (Card's is 126 characters).
  it('are pretty-printed: one field per line, no selection line wider than 100 characters', () => {
    for (const tab of GRAPHIQL_TABS) {
      expect(tab.query).toBe(print(parse(tab.query)));
      const [, ...selections] = tab.query.split('\n');
      expect(selections.length).toBeGreaterThan(5);
      expect(Math.max(...selections.map((line) => line.length))).toBeLessThanOrEqual(100);
    }
  });
});

describe('Accept-Encoding negotiation', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=1, br;q=1', 'br'],
    ['*', 'br'],
    ['identity', undefined],
    ['', undefined],
  ])('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

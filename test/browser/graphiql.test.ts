/**
 * GraphiQL in a real browser (Debian's Chromium driven by playwright-core) with every request off this
 * machine blocked: it must load, run the Dashboard query it opens with, and show the account.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useGateway } from '../utils/gateway.ts';
import { CHROMIUM_PATH, chromiumAvailable } from '../utils/requirements.ts';

const available = chromiumAvailable();

describe.skipIf(!available)('GraphiQL in Chromium, offline', () => {
  const context = useGateway();
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(() => browser?.close());

  // Generous limits: they catch a hang, not slowness (a throttled CI machine takes a minute to load GraphiQL).
  it('loads with no outside request, runs Dashboard and shows the account', { timeout: 300_000 }, async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:';
      if (local) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(context.gateway.graphqlUrl, { waitUntil: 'load', timeout: 120_000 });
    await page.waitForSelector('.graphiql-container', { timeout: 120_000 });
    await page.click('.graphiql-execute-button', { timeout: 60_000 });
    // Monaco renders the response lazily: poll its text until the account shows.
    await expect.poll(async () => (await page.textContent('.graphiql-response')) ?? '', { timeout: 120_000, interval: 200 }).toContain('M123786123412');

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});

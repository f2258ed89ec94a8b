/**
 * GraphiQL in a real browser (Debian's Chromium driven by playwright-core), on a fresh profile as a
 * first visitor has, with every request off this machine blocked: each example tab must switch with
 * the mouse and run (the subscription tab receives the event that DisableProduct, run in a second
 * window, causes, as the README describes), and a reload must open the same tabs, with no `<untitled>` one added.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_TABS } from '../../src/examples.ts';
import { ingressUrl, SIGNING_KEY, SIGNING_KEY_ID, WEBHOOK_ENV } from '../utils/events.ts';
import { useGateway } from '../utils/gateway.ts';
import { CHROMIUM_PATH, chromiumAvailable } from '../utils/requirements.ts';

const available = chromiumAvailable();

/** The tab titles GraphiQL derives from the examples' operation names, in order. */
const TITLES = GRAPHIQL_TABS.map((tab) => /^(?:query|mutation|subscription) (\w+)/.exec(tab.query)?.[1] ?? '?');
/** What the results pane shows near its top once each example ran (its root field). */
const ROOT_FIELD: Record<string, string> = {
  Dashboard: '"account"',
  Settlement: '"settlement"',
  Card: '"cardOrder"',
  Portfolio: '"accounts"',
  Onboard: '"onboardMerchant"',
  AccountEvents: '"accountEvents"',
  DisableProduct: '"disablePaymentProduct"',
};

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** Every request that leaves loopback is recorded and refused. */
async function guardOffline(page: Page, outside: string[]): Promise<void> {
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOCAL_HOSTS.includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  page.on('websocket', (socket) => {
    if (!LOCAL_HOSTS.includes(new URL(socket.url()).hostname)) outside.push(socket.url());
  });
}

const tabTitles = (page: Page) => page.$$eval('.graphiql-tab-button', (buttons) => buttons.map((button) => button.textContent ?? ''));
const activeTitle = (page: Page) => page.$eval('.graphiql-tab-active .graphiql-tab-button', (button) => button.textContent ?? '');
/** The visible lines of the results pane (Monaco renders them lazily, so this is polled). */
const results = async (page: Page) => (await page.textContent('.graphiql-response')) ?? '';

describe.skipIf(!available)('GraphiQL in Chromium, offline, on a first visit', () => {
  const context = useGateway({ env: WEBHOOK_ENV });
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The sandbox signs and sends its events to the gateway, as `npm start` sets it up.
    context.sandbox.webhooks.addSubscriber({
      url: ingressUrl(context.gateway),
      signingKeyId: SIGNING_KEY_ID,
      signingKey: SIGNING_KEY,
      eventTypes: ['partner.account.product.payment.state-change.disabled', 'partner.account.product.payment.state-change.enabled'],
    });
  });
  afterAll(() => browser?.close());

  // Generous limits: they catch a hang, not slowness (a throttled CI machine takes a minute to load GraphiQL).
  it('switches to every example tab with the mouse and runs it, with no request off this machine; a reload adds no tab', { timeout: 600_000 }, async () => {
    const browserContext = await browser.newContext(); // a fresh profile: empty localStorage and cache
    const outside: string[] = [];
    const errors: string[] = [];
    const answers: { data?: unknown; errors?: unknown }[] = [];
    const open = async () => {
      const page = await browserContext.newPage();
      await guardOffline(page, outside);
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('response', async (response) => {
        if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/graphql') answers.push(await response.json());
      });
      await page.goto(context.gateway.graphqlUrl, { waitUntil: 'load', timeout: 120_000 });
      await page.waitForSelector('.graphiql-tab-button', { timeout: 120_000 });
      return page;
    };
    const run = async (page: Page, title: string) => {
      await page.click(`.graphiql-tab-button[title="${title}"]`); // the mouse, at the tab's centre
      await expect.poll(() => activeTitle(page), { timeout: 10_000 }).toBe(title);
      expect(await page.textContent('.graphiql-query-editor'), 'the example is pretty-printed').toContain(`${title}(`);
      await page.click('.graphiql-execute-button');
    };

    const page = await open();
    expect(await tabTitles(page)).toEqual(TITLES);
    // Resizing the tab list (the docs pane opening) used to leave the tabs offset as well.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    // Right to left, so that each click lands on a tab other than the one before it.
    for (const title of ['Portfolio', 'Card', 'Settlement', 'Dashboard', 'Onboard']) {
      await run(page, title);
      // Clicked at once after the switch: GraphiQL used to send the previous tab's operation name
      // ("Cannot infer operation", before its 100 ms re-read of the editor); the served bundle takes the tab's.
      await expect.poll(() => results(page), { timeout: 60_000, interval: 200 }).toContain(ROOT_FIELD[title]);
      expect(await results(page)).not.toContain('"errors"');
    }
    // A Run in the same moment as the switch (no time for GraphiQL's re-read of the editor) runs the new tab's operation.
    await page.evaluate((title) => {
      document.querySelector<HTMLButtonElement>(`.graphiql-tab-button[title="${title}"]`)?.click();
      document.querySelector<HTMLButtonElement>('.graphiql-execute-button')?.click();
    }, 'Portfolio');
    await expect.poll(() => results(page), { timeout: 60_000, interval: 200 }).toMatch(/"accounts"|Cannot\s+infer/);
    expect(await results(page)).toContain(ROOT_FIELD.Portfolio);
    // The README's "subscribe in one window, mutate in another" (GraphiQL stops what runs when its tab
    // changes, so the mutation runs in a second window of the same profile).
    await run(page, 'AccountEvents');
    await expect.poll(() => page.isVisible('.graphiql-execute-button[aria-label^="Stop"]'), { timeout: 30_000 }).toBe(true);
    const second = await open();
    await run(second, 'DisableProduct');
    await expect.poll(() => results(second), { timeout: 60_000, interval: 200 }).toContain('"PaymentProductStatePayload"');
    await expect.poll(() => results(page), { timeout: 60_000, interval: 200 }).toContain('"PAYMENT_PRODUCT_DISABLED"');
    expect(await results(page)).toContain(ROOT_FIELD.AccountEvents);
    expect(await results(page)).not.toContain('"errors"');

    expect(answers.length).toBeGreaterThanOrEqual(6);
    expect(answers.filter((answer) => answer.errors !== undefined || answer.data == null)).toEqual([]);

    await page.reload({ waitUntil: 'load', timeout: 120_000 });
    await page.waitForSelector('.graphiql-tab-button', { timeout: 120_000 });
    expect(await tabTitles(page), 'a reload opens the same tabs, with no <untitled> one').toEqual(TITLES);

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await browserContext.close();
  });
});

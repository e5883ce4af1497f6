// The customer shop's journeys in Debian's Chromium against the running platform with the demo catalogue seeded
// (kit-platform.ts): anonymous browsing → product page → cart → sign-in at checkout (the cart survives) → order
// confirmed live → notification in the bell → order detail by deep link; the over-stock attempt; a broken session;
// the phone layout. Screenshots at 1280×800 and 390×844 go to web/e2e/screenshots/ (artifacts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, waitFor } from './browser.ts';
import { categories, RUNS, startLighthouse, targetBenchmarkIndex, type PageScores } from './lighthouse.ts';
import { startNginxSite, type NginxSite } from './nginx-site.ts';
import { chromiumPath } from './browser.ts';
import { horizontalOverflow, newFindings, screenshot, signInAtIdp, splitValues, watchErrors } from './journey.ts';
import { startPlatform, type Platform } from './run-platform.ts';

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
const findings = newFindings();
const kettle = { sku: 'KTL-GOOSE-01', name: 'Gooseneck kettle', image: '/products/gooseneck-kettle.svg' };
const grinder = { sku: 'GRD-HAND-01', name: 'Hand burr grinder' };

/** Waits for the catalogue answer a change of the filters asks for. */
function catalogueAnswer(page: Page, param: string): Promise<unknown> {
  return page.waitForResponse((r) => r.url().includes('/api/catalogue?') && r.url().includes(param) && r.status() === 200);
}

const cards = (page: Page) => page.locator('ul[aria-label="Products"] li.product-card');

/**
 * Places the order in the cart. The orders read model learns of products through the broker, so right after the
 * seed an order can be refused as naming an unknown product: a person would try again, and so does the test.
 */
async function placeOrder(page: Page): Promise<string> {
  await waitFor(
    async () => {
      if (/\/orders\/[0-9a-f-]{36}$/.test(page.url())) return true;
      if (await page.getByRole('alert').isVisible()) await page.waitForTimeout(1_000);
      await page.getByTestId('place-order').dblclick();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: 5_000 }).catch(() => undefined);
      return /\/orders\/[0-9a-f-]{36}$/.test(page.url());
    },
    'the order to be accepted',
    60_000,
  );
  return new URL(page.url()).pathname.split('/').pop() ?? '';
}

/** Signs in when the IdP asks; with an IdP session still open the browser comes straight back. */
async function signInIfAsked(page: Page, username: string, done: () => Promise<unknown>): Promise<void> {
  const form = page.locator('#username').waitFor({ timeout: 30_000 }).then(() => 'form' as const);
  const back = done().then(() => 'back' as const);
  if ((await Promise.race([form, back])) === 'form') {
    await signInAtIdp(page, username);
    await done();
  }
}

describe('the customer shop against the running platform', { timeout: 600_000 }, () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let orderId = '';

  before(async () => {
    platform = await startPlatform();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: desktop });
    page = watchErrors(await context.newPage(), 'shop', findings);
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('when an anonymous visitor opens the shop, then the seeded catalogue shows as cards with pictures, and search and filters work', async () => {
    await page.goto(platform.customerUrl);
    // The cards are built a few per task (catalogue.page.ts): wait for the first page's last one.
    await cards(page).nth(23).waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).origin, platform.customerUrl, 'no sign-in is asked to browse');
    assert.ok((await cards(page).count()) >= 24, 'a full first page of products');
    assert.match((await page.getByTestId('result-count').textContent()) ?? '', /^(2[4-9]|[3-9]\d) products$/);
    const first = cards(page).first();
    await waitFor(() => first.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the first picture to load');
    assert.match((await first.textContent()) ?? '', /€\d/);
    assert.match((await first.textContent()) ?? '', /In stock|Only \d+ left|Out of stock/);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /on hand|reserved|GRD-|KTL-/i, 'no stock counts or skus for customers');
    await screenshot(page, 'shop-home-1280', findings);

    let answered = catalogueAnswer(page, 'category=Kettles');
    await page.getByLabel('Category').selectOption('Kettles');
    await answered;
    await waitFor(async () => (await cards(page).count()) === 3, 'three kettles');
    answered = catalogueAnswer(page, 'q=gooseneck');
    await page.getByLabel('Search products').fill('gooseneck');
    await answered;
    // The search looks at names and descriptions: the kettle named so, and one whose spout is described so.
    await waitFor(async () => (await cards(page).count()) < 3, 'the kettles matching "gooseneck"');
    await cards(page).filter({ hasText: kettle.name }).waitFor();
    assert.match(page.url(), /category=Kettles/);
    assert.match(page.url(), /q=gooseneck/);
  });

  it('when the visitor opens a product and adds two, then the product page limits the quantity and the cart counts them', async () => {
    await page.getByRole('link', { name: kettle.name }).click();
    await page.getByRole('heading', { level: 1, name: kettle.name }).waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).pathname, `/products/${kettle.sku}`);
    assert.equal(await page.locator('.product-detail img').getAttribute('src'), kettle.image);
    assert.equal(await page.getByTestId('availability').textContent(), 'In stock');
    assert.equal(await page.getByLabel('Quantity').getAttribute('max'), '10');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText(`Added 2 × ${kettle.name} to your cart.`, { exact: false }).first().waitFor();
    await screenshot(page, 'shop-product-1280', findings);

    await page.getByRole('link', { name: 'Cart (2)' }).click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    assert.equal(await page.getByTestId('cart-total').textContent(), '€119.80');
    await screenshot(page, 'shop-cart-1280', findings);
  });

  it('when the visitor checks out, then sign-in is asked, the cart survives it, and the order turns confirmed live with a notification in the bell', async () => {
    await page.getByTestId('sign-in-to-checkout').click();
    await signInAtIdp(page, 'alice');
    await page.waitForURL(`${platform.customerUrl}/cart`, { timeout: 30_000 });
    await page.getByTestId('place-order').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('cart-total').textContent(), '€119.80', 'the cart came back from the sign-in');
    assert.equal(await page.getByTestId('user').textContent(), 'alice');

    orderId = await placeOrder(page);
    assert.match(orderId, /^[0-9a-f-]{36}$/);
    await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'no reload'));
    await page.getByTestId('thank-you').waitFor();
    await waitFor(async () => /confirmed/.test((await page.getByTestId('order-outcome').textContent()) ?? ''), 'the order to show confirmed', 90_000);
    assert.equal(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker), 'no reload');
    assert.equal(await page.getByRole('link', { name: 'Cart (0)' }).count(), 1, 'the cart is empty after checkout');

    await page.getByTestId('unread-count').waitFor({ timeout: 30_000 });
    await page.getByTestId('bell').click();
    const panel = page.getByTestId('notification-panel');
    await panel.getByText('Order confirmed').first().waitFor({ timeout: 30_000 });
    await waitFor(async () => (await page.getByTestId('unread-count').count()) === 0, 'the notifications to be marked read');
    await screenshot(page, 'shop-notifications-1280', findings);
    await page.keyboard.press('Escape');
    await page.getByTestId('thank-you').getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await page.getByTestId('thank-you').count(), 0, 'the thank-you goes away');
    await screenshot(page, 'shop-order-1280', findings);
  });

  it('when the order page is opened by its link in a new tab and reloaded, then it shows the lines with names, pictures, total and timeline', async () => {
    const tab = watchErrors(await context.newPage(), 'shop-tab', findings);
    try {
      await tab.goto(`${platform.customerUrl}/orders/${orderId}`);
      await signInIfAsked(tab, 'alice', () => tab.getByTestId('order-id').waitFor({ timeout: 30_000 }));
      for (const round of ['opened', 'reloaded']) {
        assert.equal(await tab.getByTestId('order-id').getAttribute('title'), orderId, round);
        const line = tab.locator(`li.order-line[data-sku="${kettle.sku}"]`);
        assert.match((await line.textContent()) ?? '', new RegExp(`${kettle.name}.*2 × €59\\.90`), round);
        await waitFor(() => line.locator('img').getAttribute('src').then((src) => src === kettle.image), 'the line picture');
        assert.equal(await tab.getByTestId('order-total').textContent(), '€119.80');
        assert.deepEqual(await tab.locator('ol.timeline li .label').allTextContents(), ['Placed', 'Confirmed', 'Shipped']);
        assert.equal(await tab.getByTestId('thank-you').count(), 0, 'the thank-you belongs to the checkout, not to the link');
        if (round === 'opened') await tab.reload();
        await tab.getByTestId('order-id').waitFor({ timeout: 30_000 });
      }
      await tab.getByRole('link', { name: 'My orders', exact: true }).click();
      await tab.locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
      assert.match((await tab.locator(`li[data-order-id="${orderId}"]`).textContent()) ?? '', /2 × Gooseneck kettle/);
      await screenshot(tab, 'shop-orders-1280', findings);
    } finally {
      await tab.close();
    }
  });

  it('when more is asked than is left and stock runs out before checkout, then the fields stop at the limit, the refusal says so in words, and what is left goes back in the cart', async () => {
    await page.goto(`${platform.customerUrl}/products/${grinder.sku}`);
    assert.equal(await page.getByTestId('availability').textContent({ timeout: 30_000 }), 'Only 3 left');
    await page.getByLabel('Quantity').fill('5');
    await page.getByLabel('Quantity').press('Tab');
    assert.equal(await page.getByLabel('Quantity').inputValue(), '3', 'the product page keeps the quantity to what is left');
    assert.match((await page.getByTestId('quantity-hint').textContent()) ?? '', /only 3 left/);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText(`Added 3 × ${grinder.name} to your cart.`).first().waitFor();
    await page.getByRole('link', { name: 'Cart (3)' }).click();
    const field = page.getByLabel(`Quantity of ${grinder.name}`);
    await field.fill('5');
    await field.press('Tab');
    assert.equal(await field.inputValue(), '3');
    assert.match((await page.getByTestId(`limit-${grinder.sku}`).textContent()) ?? '', /only 3 available/);

    // Meanwhile another customer buys one.
    const other = await browser.newContext({ viewport: desktop });
    try {
      const bob = watchErrors(await other.newPage(), 'shop-bob', findings);
      await bob.goto(`${platform.customerUrl}/products/${grinder.sku}`);
      await bob.getByRole('button', { name: 'Add to cart' }).click();
      await bob.getByRole('link', { name: 'Cart (1)' }).click();
      await bob.getByTestId('sign-in-to-checkout').click();
      await signInAtIdp(bob, 'bob');
      await bob.getByTestId('place-order').waitFor({ timeout: 30_000 });
      await placeOrder(bob);
      await waitFor(async () => /confirmed/.test((await bob.getByTestId('order-outcome').textContent()) ?? ''), "bob's order to be confirmed", 90_000);
    } finally {
      await other.close();
    }

    const rejected = await placeOrder(page);
    assert.notEqual(rejected, orderId);
    const expected = `We could not reserve 3 × ${grinder.name}: only 2 left. Your order was not placed; nothing was charged.`;
    await waitFor(async () => (await page.getByTestId('order-outcome').textContent())?.trim() === expected, 'the refusal in words', 90_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}; the page says: ${await page.getByTestId('order-outcome').textContent()}`);
      },
    );
    assert.equal(await page.getByTestId('thank-you').count(), 0, 'no thank-you for an order that was not placed');
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /GRD-HAND-01|insufficient/i);
    await screenshot(page, 'shop-order-rejected-1280', findings);
    await page.getByTestId('refill-cart').click();
    await page.getByRole('link', { name: 'Cart (2)' }).waitFor();
    await page.getByRole('link', { name: 'Cart (2)' }).click();
    assert.equal(await page.getByLabel(`Quantity of ${grinder.name}`).inputValue(), '2', 'what was left is back in the cart');
    await page.getByRole('button', { name: `Remove ${grinder.name}` }).click();
  });

  it('when the session is refused by the gateway, then a human message offers "Sign in again", which brings the customer back', async () => {
    await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
      if (!key) throw new Error('no stored session');
      const user = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token: string };
      user.access_token = 'not-a-valid-token';
      sessionStorage.setItem(key, JSON.stringify(user));
    });
    await page.goto(`${platform.customerUrl}/orders`);
    const problem = page.getByTestId('session-problem');
    await problem.waitFor({ timeout: 30_000 });
    assert.match((await problem.textContent()) ?? '', /session has ended/i);
    assert.doesNotMatch((await problem.textContent()) ?? '', /token|jwt|401/i);
    await problem.getByRole('button', { name: 'Sign in again' }).click();
    await signInIfAsked(page, 'alice', () => page.locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 }));
    assert.equal(await page.getByTestId('session-problem').count(), 0);
  });

  it('when the shop is used on a phone, then the header folds into a menu, and cards, product and cart fit without split values', async () => {
    const mobile = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    try {
      const p = watchErrors(await mobile.newPage(), 'shop-phone', findings);
      await p.goto(platform.customerUrl);
      await cards(p).nth(23).waitFor({ timeout: 30_000 });
      assert.ok((await horizontalOverflow(p)) <= 1, 'no sideways scrolling on the catalogue');
      assert.equal(await p.getByRole('link', { name: 'Shop', exact: true }).isVisible(), false, 'the menu is folded');
      await p.getByRole('button', { name: 'Menu' }).click();
      await p.getByRole('link', { name: 'Shop', exact: true }).waitFor();
      await screenshot(p, 'shop-menu-390', findings);
      await p.getByRole('button', { name: 'Menu' }).click();
      assert.deepEqual(await splitValues(p, 'li.product-card .price'), []);
      await screenshot(p, 'shop-home-390', findings);

      await p.goto(`${platform.customerUrl}/products/${kettle.sku}`);
      await p.getByRole('heading', { level: 1, name: kettle.name }).waitFor({ timeout: 30_000 });
      assert.ok((await horizontalOverflow(p)) <= 1, 'no sideways scrolling on the product page');
      await screenshot(p, 'shop-product-390', findings);
      await p.getByRole('button', { name: 'Add to cart' }).click();
      await p.goto(`${platform.customerUrl}/products/BRW-PRESS-01`);
      await p.getByRole('button', { name: 'Add to cart' }).click();
      await p.goto(`${platform.customerUrl}/cart`);
      await p.locator('li.cart-line').nth(1).waitFor({ timeout: 30_000 });
      assert.ok((await horizontalOverflow(p)) <= 1, 'no sideways scrolling in the cart');
      assert.deepEqual(await splitValues(p, 'li.cart-line .subtotal, li.cart-line .name, [data-testid="cart-total"]'), []);
      await screenshot(p, 'shop-cart-390', findings);

      await p.goto(`${platform.customerUrl}/orders/${orderId}`);
      await signInIfAsked(p, 'alice', () => p.getByTestId('order-id').waitFor({ timeout: 30_000 }));
      assert.ok((await horizontalOverflow(p)) <= 1, 'no sideways scrolling on the order page');
      assert.deepEqual(await splitValues(p, 'li.order-line .subtotal, [data-testid="order-total"], ol.timeline li span'), []);
      await screenshot(p, 'shop-order-390', findings);
      await p.goto(`${platform.customerUrl}/orders`);
      await p.locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
      await screenshot(p, 'shop-orders-390', findings);
    } finally {
      await mobile.close();
    }
  });

  describe('the production build served by nginx as in compose', () => {
    let site: NginxSite;
    before(async () => {
      site = await startNginxSite('customer', { API_UPSTREAM: platform.gatewayUrl, OIDC_ISSUER: platform.issuer });
    });
    after(async () => site?.stop());

    it('when a deep link is opened directly (reload, new tab), then nginx answers the app shell; pictures and the API pass through', async () => {
      for (const route of [`/orders/${orderId}`, '/orders', '/products', `/products/${kettle.sku}`, '/cart']) {
        const answer = await fetch(`${site.url}${route}`);
        assert.equal(answer.status, 200, route);
        assert.match(answer.headers.get('content-type') ?? '', /text\/html/, route);
        assert.match(await answer.text(), /<app-root>/, route);
        assert.equal(answer.headers.get('cache-control'), 'no-cache', route);
      }
      const picture = await fetch(`${site.url}${kettle.image}`);
      assert.equal(picture.status, 200);
      assert.equal(picture.headers.get('content-type'), 'image/svg+xml');
      assert.equal((await fetch(`${site.url}/products/no-such-picture.svg`)).status, 404, 'a missing file is a 404, not the app');
      const facets = await fetch(`${site.url}/api/catalogue/facets`);
      assert.equal(facets.status, 200);
      assert.ok(((await facets.json()) as { categories: unknown[] }).categories.length >= 4);
    });

    it('when Lighthouse audits the home, product and cart pages with mobile emulation, then performance, accessibility and best practices are each at least 90', async () => {
      // Nothing else may draw while Lighthouse measures (docs/variability.md): the journey's signed-in page, with its
      // live notification stream, is parked on a blank page first.
      await page.goto('about:blank');
      const runner = await startLighthouse();
      const results: PageScores[] = [];
      try {
        results.push(await runner.audit('home', `${site.url}/`));
        results.push(await runner.audit('product', `${site.url}/products/${kettle.sku}`));
        results.push(
          await runner.audit('cart', `${site.url}/cart`, async (ctx) => {
            const tab = ctx.pages()[0] ?? (await ctx.newPage());
            await tab.goto(`${site.url}/products/${kettle.sku}`);
            await tab.getByRole('button', { name: 'Add to cart' }).click();
            await tab.goto(`${site.url}/products/BRW-PRESS-01`);
            await tab.getByRole('button', { name: 'Add to cart' }).click();
            await tab.getByRole('link', { name: 'Cart (2)' }).waitFor();
            await tab.goto('about:blank');
          }),
        );
      } finally {
        await runner.close();
      }
      const results_dir = path.resolve(import.meta.dirname, '..', 'results');
      await mkdir(results_dir, { recursive: true });
      const lighthouseVersion = (JSON.parse(await readFile(path.resolve(import.meta.dirname, '..', 'node_modules', 'lighthouse', 'package.json'), 'utf8')) as { version: string }).version;
      const report = {
        measuredAt: new Date().toISOString(),
        lighthouse: lighthouseVersion,
        chromium: execFileSync(chromiumPath, ['--version'], { encoding: 'utf8' }).trim(),
        settings: `Lighthouse's mobile config (Moto G Power screen, simulated slow 4G), CPU slowdown calibrated to the host: benchmarkIndex / ${targetBenchmarkIndex} within 1..4 (docs/throttling.md); cold HTTP cache; median of ${RUNS} runs`,
        served: 'production build, Debian nginx with web/nginx.conf + web/nginx-customer.conf',
        pages: results,
      };
      await writeFile(path.join(results_dir, 'lighthouse-customer.json'), JSON.stringify(report, null, 2) + '\n');
      for (const r of results) console.log(`lighthouse ${r.name}: ${categories.map((c) => `${c} ${r.scores[c]}`).join(', ')}`);
      const low = results.flatMap((r) => categories.filter((c) => r.scores[c] < 90).map((c) => `${r.name} ${c} ${r.scores[c]}`));
      assert.deepEqual(low, [], `scores under 90; what cost points:\n${results.flatMap((r) => r.runs.flatMap((run) => run.losses.map((l) => `${r.name} (index ${run.benchmarkIndex}, ${run.cpuSlowdownMultiplier}x) ${l}`))).join('\n')}`);
    });
  });

  it('when the shop pages were checked with axe-core, then none has a WCAG A/AA violation of any impact', () => {
    assert.deepEqual(findings.a11y, []);
  });

  it('when the whole journey ran, then the shop threw no uncaught error and broke no CSP rule', () => {
    assert.deepEqual(findings.pageErrors, []);
  });
});

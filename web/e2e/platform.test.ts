// End-to-end: the built customer SPA and admin PWA against the running platform (dev IdP, gateway, services,
// admin BFF: the kit's startPlatform, see run-platform.ts), driven in Debian's Chromium. Screenshots of each main screen go to
// web/e2e/screenshots/ (not committed).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from './a11y.ts';
import { launchChromium, launchPersistentChromium, waitFor } from './browser.ts';
import { startPlatform, type Platform } from './run-platform.ts';

const shots = path.resolve(import.meta.dirname, 'screenshots');
const sku = `E2E-${Date.now().toString(36).toUpperCase()}`;
const productName = `Meridian e2e mug ${sku.slice(4)}`;
// What the customer buys: a product of the seeded demo catalogue (the admin's new product is the admin's steps').
const shopSku = 'BRW-PRESS-01';
const shopName = 'French press, 1 l';
const shopQuery = 'French press';

const a11yFindings: string[] = [];
const pageErrors: string[] = [];

/** Uncaught exceptions and Content-Security-Policy violations in the apps' pages are collected and must stay none. */
function watchErrors(page: Page, name: string): Page {
  page.on('pageerror', (error) => pageErrors.push(`${name} ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) pageErrors.push(`${name} ${page.url()}: ${message.text()}`);
  });
  return page;
}

/** Saves a screenshot of a main screen and records its accessibility violations (asserted at the end). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  if (new URL(page.url()).hostname === 'localhost' && !page.url().includes('/realms/')) {
    for (const finding of await accessibilityViolations(page)) a11yFindings.push(`${name}: ${finding}`);
  }
}

/** The dev IdP's sign-in form (the same field ids as Keycloak's). */
async function signInAtIdp(page: Page, username: string): Promise<void> {
  await page.locator('#username').waitFor({ timeout: 30_000 });
  await page.fill('#username', username);
  await page.fill('#password', `${username}-dev-password`);
  await page.click('#kc-login');
}

/** Types a search in the shop's catalogue and waits for its answer (the grid then shows that search's results). */
async function searchProducts(page: Page, query: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().includes('/api/catalogue?') && r.url().includes(`q=${encodeURIComponent(query)}`));
  await page.getByLabel('Search products').fill(query);
  await answered;
  await page.locator('ul[aria-label="Products"]:not([aria-busy="true"])').waitFor({ timeout: 30_000 });
}

/** The order's status on the shop's order list or on its own page. */
async function statusOf(page: Page, orderId: string): Promise<string | null> {
  return page
    .locator(`li[data-order-id="${orderId}"] [data-status], h1:has([data-testid="order-id"][title="${orderId}"]) [data-status]`)
    .first()
    .getAttribute('data-status', { timeout: 1_000 })
    .catch(() => null);
}

const orderPage = /\/orders\/[0-9a-f-]{36}$/;

/** Places the cart's order; right after a product is created the orders read model may not know it yet (a 400 the
 * customer sees), so like a person the test tries again (bounded). Answers the new order's id. */
async function placeOrder(page: Page, click: 'click' | 'dblclick'): Promise<string> {
  await waitFor(
    async () => {
      if (orderPage.test(page.url())) return true;
      if (await page.getByRole('alert').isVisible()) await page.waitForTimeout(1_000);
      await page.getByTestId('place-order')[click]();
      await page.waitForURL(orderPage, { timeout: 5_000 }).catch(() => undefined);
      return orderPage.test(page.url());
    },
    'the order to be accepted',
    60_000,
  );
  return new URL(page.url()).pathname.split('/').pop() ?? '';
}

describe('Meridian web apps against the running platform', { timeout: 600_000 }, () => {
  let platform: Platform;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let customer: Page;
  let adminProfile: string;
  let orderId = '';

  before(async () => {
    await mkdir(shots, { recursive: true });
    platform = await startPlatform();
    browser = await launchChromium();
    // The admin runs in a persistent profile so its service worker behaves as in an installed app.
    adminProfile = await mkdtemp(path.join(os.tmpdir(), 'meridian-admin-'));
    adminContext = await launchPersistentChromium(adminProfile);
    admin = watchErrors(adminContext.pages()[0] ?? (await adminContext.newPage()), 'admin');
    const customerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    customer = watchErrors(await customerContext.newPage(), 'customer');
  });

  after(async () => {
    await adminContext?.close();
    await browser?.close();
    await platform?.stop();
    if (adminProfile) await rm(adminProfile, { recursive: true, force: true });
  });

  it('when an admin signs in through the BFF, then the orders screen opens with the admin navigation', async () => {
    await admin.goto(`${platform.adminUrl}/orders`);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await signInAtIdp(admin, 'ada');
    await admin.getByRole('heading', { name: 'Orders' }).waitFor({ timeout: 30_000 });
    assert.equal(await admin.getByTestId('user').textContent(), 'ada');
    await screenshot(admin, 'admin-orders');
  });

  it('when the admin creates a product and adds stock with a reason, then the product lists with its stock', async () => {
    await admin.getByRole('link', { name: 'Inventory' }).click();
    await admin.getByRole('button', { name: 'New product' }).click();
    await admin.getByLabel('SKU').fill(sku);
    await admin.getByLabel('Name').fill(productName);
    await admin.getByLabel('Price').fill('12.50');
    await admin.getByLabel('Low-stock threshold').fill('2');
    await admin.getByRole('button', { name: 'Save product' }).click();
    await admin.getByText(`Saved ${sku}.`).waitFor({ timeout: 30_000 });
    // The seeded demo catalogue fills the first pages: find the new product by its sku.
    await admin.getByLabel('Search', { exact: true }).fill(sku);
    await admin.getByRole('button', { name: 'Search', exact: true }).click();
    await admin.locator(`tr[data-sku="${sku}"]`).waitFor({ timeout: 30_000 });
    await admin.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
    await admin.getByLabel('Change (+/−)').fill('20');
    await admin.getByLabel('Reason').fill('e2e delivery');
    await admin.getByRole('button', { name: 'Adjust stock', exact: true }).click();
    await admin.getByText(`Stock of ${sku} is now 20 on hand (20 available).`).waitFor({ timeout: 30_000 });
    await screenshot(admin, 'admin-inventory');
  });

  it('when a customer browses signed out, adds to the cart, signs in at checkout and double-clicks "Place order", then one order is placed and turns confirmed without a reload', async () => {
    await customer.goto(platform.customerUrl);
    await searchProducts(customer, shopQuery);
    const card = customer.locator(`li.product-card[data-sku="${shopSku}"]`);
    await card.waitFor({ timeout: 30_000 });
    assert.match((await card.textContent()) ?? '', /€39\.00/);
    await screenshot(customer, 'customer-home');
    await card.getByRole('link', { name: shopName }).click();
    await customer.getByRole('heading', { level: 1, name: shopName }).waitFor({ timeout: 30_000 });
    await customer.getByLabel('Quantity').fill('2');
    await customer.getByRole('button', { name: 'Add to cart' }).click();
    await customer.getByText(`Added 2 × ${shopName} to your cart.`).first().waitFor();
    await screenshot(customer, 'customer-products');

    await customer.getByRole('link', { name: 'Cart (2)' }).click();
    assert.equal(await customer.getByTestId('cart-total').textContent(), '€78.00');
    await screenshot(customer, 'customer-cart');
    await customer.getByTestId('sign-in-to-checkout').click();
    await signInAtIdp(customer, 'alice');
    await customer.getByTestId('place-order').waitFor({ timeout: 30_000 });
    assert.equal(await customer.getByTestId('user').textContent(), 'alice');
    assert.equal(await customer.getByTestId('cart-total').textContent(), '€78.00', 'the cart survived the sign-in');

    orderId = await placeOrder(customer, 'dblclick');
    assert.match(orderId, /^[0-9a-f-]{36}$/);
    await customer.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'no reload'));
    await waitFor(async () => (await statusOf(customer, orderId)) === 'confirmed', 'the order to show confirmed', 90_000);
    await customer.getByRole('link', { name: 'My orders', exact: true }).click();
    await customer.locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await customer.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker), 'no reload');
    assert.equal(await customer.locator('li[data-order-id]').count(), 1, 'the double click made exactly one order');
    await screenshot(customer, 'customer-orders-confirmed');
  });

  it('when the admin ships the order, then the customer sees it shipped without a reload', async () => {
    await admin.goto(`${platform.adminUrl}/orders?status=confirmed`);
    await admin.locator(`tr[data-order-id="${orderId}"] a`).click();
    await admin.getByTestId('order-id').waitFor();
    assert.equal(await admin.getByTestId('order-id').textContent(), orderId);
    await admin.getByRole('button', { name: 'Ship' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Ship order' }).click();
    await admin.getByText('Order shipped.').waitFor({ timeout: 30_000 });

    await waitFor(async () => (await statusOf(customer, orderId)) === 'shipped', 'the customer to see the order shipped', 60_000);
    assert.equal(await customer.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker), 'no reload');
    await screenshot(customer, 'customer-orders-shipped');
  });

  it('when the customer orders again and cancels while allowed, then the order shows cancelled and the admin finds it by status', async () => {
    await customer.getByRole('link', { name: 'Shop', exact: true }).click();
    await searchProducts(customer, shopQuery);
    await customer.locator(`li.product-card[data-sku="${shopSku}"]`).getByRole('button', { name: `Add to cart: ${shopName}` }).click();
    await customer.getByRole('link', { name: 'Cart (1)' }).click();
    const second = await placeOrder(customer, 'click');
    await waitFor(async () => ['pending', 'confirmed'].includes((await statusOf(customer, second)) ?? ''), 'the second order to show', 30_000);
    await customer.getByRole('button', { name: 'Cancel order' }).click();
    await waitFor(async () => (await statusOf(customer, second)) === 'cancelled', 'the order to show cancelled', 30_000);
    assert.equal(await customer.getByRole('button', { name: 'Cancel order' }).count(), 0);

    await admin.goto(`${platform.adminUrl}/orders`);
    await admin.locator(`tr[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
    await admin.getByLabel('Status').selectOption('cancelled');
    const filtered = admin.waitForResponse((r) => r.url().includes('/api/orders?') && r.url().includes('status=cancelled'));
    await admin.getByRole('button', { name: 'Search' }).click();
    await filtered;
    await admin.getByRole('status').filter({ hasText: 'Loading orders' }).waitFor({ state: 'detached', timeout: 30_000 });
    await admin.locator(`tr[data-order-id="${second}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await admin.locator(`tr[data-order-id="${orderId}"]`).count(), 0, 'the shipped order is not among the cancelled');
    await admin.goto(`${platform.adminUrl}/orders/${orderId}`);
    await admin.getByTestId('order-id').waitFor();
  });

  it("when the admin views the order, then its audit timeline shows it created, confirmed and shipped in order", async () => {
    const actions = await waitFor(
      async () => {
        await admin.getByRole('button', { name: 'Refresh' }).click();
        await admin.waitForTimeout(500);
        const list = await admin.locator('ol[aria-label="Audit timeline"] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-action') ?? ''));
        const has = (name: string) => list.findIndex((a) => a.includes(name));
        return has('order-created') >= 0 && has('order-confirmed') > has('order-created') && has('order-shipped') > has('order-confirmed') ? list : null;
      },
      'the audit timeline to hold created → confirmed → shipped',
      60_000,
    );
    assert.ok(actions.length >= 3);
    await screenshot(admin, 'admin-order-timeline');
  });

  it('when the admin browses audit streams and replays, then events are listed and the replay is reported', async () => {
    await admin.getByRole('link', { name: 'Audit' }).click();
    await admin.getByLabel('Entity id').fill(orderId);
    await admin.getByRole('button', { name: 'Show history' }).click();
    await admin.locator('ol[aria-label="Audit timeline"] li').first().waitFor({ timeout: 30_000 });
    await admin.getByRole('button', { name: 'Show events' }).click();
    await admin.locator('table[aria-label="Events"] tbody tr').first().waitFor({ timeout: 30_000 });
    await admin.getByRole('button', { name: /Replay/ }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Replay all streams' }).click();
    await admin.getByText(/Replayed \d+ event\(s\)/).waitFor({ timeout: 30_000 });
    await screenshot(admin, 'admin-audit');
  });

  it('when the admin sends a broadcast, then it is accepted, and the dead letters view loads', async () => {
    await admin.getByRole('link', { name: 'Notifications' }).click();
    await admin.getByLabel('Title').fill('Maintenance tonight');
    await admin.getByLabel('Message').fill('The shop pauses for ten minutes at 22:00 UTC.');
    await admin.getByRole('button', { name: 'Send broadcast' }).click();
    await admin.getByText('Broadcast “Maintenance tonight” is on its way.').waitFor({ timeout: 30_000 });
    // The signed-in customer finds it under the bell.
    await customer.getByTestId('bell').click();
    await customer.getByTestId('notification-panel').getByText('Maintenance tonight').waitFor({ timeout: 30_000 });
    await screenshot(customer, 'customer-notifications');
    await customer.keyboard.press('Escape');
    await admin.locator('section[aria-labelledby="dl-title"]').getByText(/No dead letters|When/).first().waitFor({ timeout: 30_000 });
    await screenshot(admin, 'admin-notifications');
  });

  it('when the network is offline, then the installed admin shell still loads from the service worker', async () => {
    await admin.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    await waitFor(() => admin.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker to control the page', 30_000).catch(
      async () => {
        await admin.reload();
        await waitFor(() => admin.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker to control the page', 30_000);
      },
    );
    await admin.goto(`${platform.adminUrl}/orders`);
    await admin.locator(`tr[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
    let refreshed: Promise<unknown> = Promise.resolve(null);
    await adminContext.setOffline(true);
    try {
      await admin.reload();
      await admin.getByTestId('offline-banner').waitFor({ timeout: 30_000 });
      await admin.getByRole('link', { name: 'Meridian admin' }).waitFor();
      // Recent read-only data comes from the service worker's data cache.
      await admin.locator(`tr[data-order-id="${orderId}"]`).waitFor({ timeout: 30_000 });
      await screenshot(admin, 'admin-offline');
    } finally {
      // Back online, the console fetches its session again (the CSRF token is needed for any change).
      refreshed = admin.waitForResponse((r) => r.url().endsWith('/auth/me') && r.status() === 200, { timeout: 30_000 }).catch(() => null);
      await adminContext.setOffline(false);
    }
    assert.ok(await refreshed, 'the session is fetched again when the network returns');
  });

  it('when a customer signs into the admin console, then a clear refusal page is shown', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${platform.adminUrl}/orders`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await signInAtIdp(page, 'bob');
      await page.getByTestId('refused-user').waitFor({ timeout: 30_000 });
      const text = await page.locator('body').innerText();
      assert.match(text, /bob/);
      assert.match(text, /cannot use the admin console|not have the admin role/i);
      assert.doesNotMatch(page.url(), /\/orders$/);
      await screenshot(page, 'admin-refused-customer');
    } finally {
      await context.close();
    }
  });

  it('when the shop is opened on a phone, then the product list fits the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      await page.goto(platform.customerUrl);
      await searchProducts(page, shopQuery);
      await page.locator(`li.product-card[data-sku="${shopSku}"]`).waitFor({ timeout: 30_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
      await screenshot(page, 'customer-products-phone');
    } finally {
      await context.close();
    }
  });

  it('when the customer uses only the keyboard, then the skip link, search and "Add to cart" all work', async () => {
    await customer.goto(platform.customerUrl);
    await customer.getByRole('heading', { name: 'Shop' }).waitFor({ timeout: 30_000 });
    await customer.keyboard.press('Tab');
    assert.equal(await customer.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    await customer.keyboard.press('Enter');
    assert.equal(await customer.evaluate(() => document.activeElement?.id), 'main', 'the skip link moves the focus to the content');
    assert.equal(new URL(customer.url()).pathname, '/', 'the skip link does not navigate away');
    await customer.keyboard.press('Tab');
    assert.equal(await customer.evaluate(() => document.activeElement?.getAttribute('name')), 'q', 'the search box is the first field');
    const searched = customer.waitForResponse((r) => r.url().includes('/api/catalogue?') && r.url().includes(`q=${encodeURIComponent(shopQuery)}`));
    await customer.keyboard.type(shopQuery);
    await searched;
    await customer.locator(`li.product-card[data-sku="${shopSku}"]`).waitFor({ timeout: 30_000 });
    const addLabel = `Add to cart: ${shopName}`;
    // Past the filters and the product's link, the card's button.
    for (let i = 0; i < 8 && (await customer.evaluate(() => document.activeElement?.getAttribute('aria-label'))) !== addLabel; i++) {
      await customer.keyboard.press('Tab');
    }
    assert.equal(await customer.evaluate(() => document.activeElement?.getAttribute('aria-label')), addLabel);
    await customer.keyboard.press('Enter');
    await customer.getByText(`Added 1 × ${shopName} to your cart.`).first().waitFor({ timeout: 30_000 });
  });

  it('when the customer and the admin sign out, then each app is back to its signed-out start page', async () => {
    await customer.getByRole('button', { name: 'Sign out' }).click();
    await customer.waitForURL(`${platform.customerUrl}/`, { timeout: 30_000 });
    await customer.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    assert.equal(await customer.getByTestId('user').count(), 0);

    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.waitForURL(new RegExp(`^${platform.adminUrl}/sign-in`), { timeout: 30_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nat ${admin.url()}:\n${await admin.locator('body').innerText()}`);
    });
    await admin.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    const me = await admin.evaluate(async () => (await fetch('/auth/me', { cache: 'no-store' })).status);
    assert.equal(me, 401, 'the BFF session is gone');
    const cachedApiAnswers = await admin.evaluate(async () => {
      let count = 0;
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) if (new URL(request.url).pathname.startsWith('/api/')) count++;
      }
      return count;
    });
    assert.equal(cachedApiAnswers, 0, 'no API answer of the old session stays in the service worker caches');
    await adminContext.setOffline(true);
    try {
      await admin.goto(`${platform.adminUrl}/orders`);
      await admin.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
      assert.equal(await admin.locator('tr[data-order-id]').count(), 0, 'offline, the signed-out console shows no old data');
    } finally {
      await adminContext.setOffline(false);
    }
  });

  it('when the main screens were checked with axe-core, then none has a serious or critical WCAG A/AA violation', () => {
    assert.deepEqual(a11yFindings, []);
  });

  it('when the whole journey ran, then neither app threw an uncaught error nor broke its CSP', () => {
    assert.deepEqual(pageErrors, []);
  });
});

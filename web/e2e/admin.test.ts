// End-to-end journey of the admin console against the running platform (the kit's startPlatform, see
// run-platform.ts): an admin signs in through the BFF and lands on the dashboard; a customer (a real dev-IdP
// sign-in, code flow + PKCE as the shop's client) places orders through the gateway; the dashboard's figures
// match those orders; the admin ships one after confirming; a customer signing into the console gets the
// app's own refusal page. Screenshots of the dashboard at 1280×800 and 390×844 go to web/e2e/screenshots/.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from './a11y.ts';
import { launchChromium, waitFor } from './browser.ts';
import { startPlatform, type Platform } from './run-platform.ts';

const shots = path.resolve(import.meta.dirname, 'screenshots');
const sku = `ADM-${Date.now().toString(36).toUpperCase()}`;
const productName = `Admin e2e kettle ${sku.slice(4)}`;
const price = 8.25;
const stock = 5;

type Status = 'pending' | 'confirmed' | 'rejected' | 'cancelled' | 'shipped';
interface PlacedOrder {
  id: string;
  status: Status;
  total: number;
  customerName?: string;
}

const a11yFindings: string[] = [];
const pageErrors: string[] = [];

/** Uncaught exceptions and CSP violations in the console's pages are collected and must stay none. */
function watchErrors(page: Page, name: string): Page {
  page.on('pageerror', (error) => pageErrors.push(`${name} ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) pageErrors.push(`${name} ${page.url()}: ${message.text()}`);
  });
  return page;
}

/** Screenshot as an artifact, and every axe WCAG A/AA finding of the screen (any impact) recorded. */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  for (const finding of await accessibilityViolations(page, 'any')) a11yFindings.push(`${name}: ${finding}`);
}

/** Waits for a notice the console shows after an action; when an error shows instead, fails with its words. */
async function notice(page: Page, text: string): Promise<void> {
  const shown = page.getByText(text);
  const alert = page.getByRole('alert').filter({ hasText: /\S/ });
  await shown.or(alert).first().waitFor({ timeout: 30_000 });
  if (!(await shown.isVisible())) assert.fail(`expected "${text}", the console says: ${await alert.first().innerText()}`);
}

/** The dev IdP's sign-in form (Keycloak's field ids). */
async function signInAtIdp(page: Page, username: string): Promise<void> {
  await page.locator('#username').waitFor({ timeout: 30_000 });
  await page.fill('#username', username);
  await page.fill('#password', `${username}-dev-password`);
  await page.click('#kc-login');
}

/**
 * A customer's access token the way the shop gets one: the authorization code flow with PKCE as the public
 * `customer-spa` client, signed in on the IdP's page in a real browser; only the redirect back is caught here.
 */
async function customerToken(browser: Browser, platform: Platform, username: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${platform.customerUrl}/e2e-token-callback`;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The IdP redirects to the shop's origin with the code; the request is watched (a route does not see redirects).
    const callback = page.waitForRequest((r) => r.url().startsWith(`${redirectUri}?`), { timeout: 30_000 });
    const authorize = new URL(`${platform.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'customer-spa',
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile email orders.read orders.write inventory.read',
      state: randomUUID(),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    await page.goto(authorize.href);
    await signInAtIdp(page, username);
    const code = await callback.then(
      (request) => new URL(request.url()).searchParams.get('code') ?? '',
      async (error: Error) => {
        throw new Error(`${error.message}; the browser is at ${page.url()}: ${await page.locator('body').innerText().catch(() => '')}`);
      },
    );
    const answer = await fetch(`${platform.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'customer-spa', code_verifier: verifier }),
    });
    const body = (await answer.json()) as { access_token?: string };
    assert.equal(answer.status, 200, JSON.stringify(body));
    return body.access_token ?? '';
  } finally {
    await context.close();
  }
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * POST /orders through the gateway. The orders service learns of a new product through the broker, so until
 * then an order for it is a 400 naming the SKU: tried again (bounded), with the same idempotency key.
 */
async function placeOrder(platform: Platform, token: string, quantity: number): Promise<string> {
  const key = randomUUID();
  return waitFor(
    async () => {
      const answer = await fetch(`${platform.gatewayUrl}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ lines: [{ sku, quantity }] }),
      });
      const body = (await answer.json()) as { id?: string; detail?: string };
      if (answer.status === 400 && JSON.stringify(body).includes(sku)) return undefined;
      assert.ok(answer.status === 201 || answer.status === 200, `POST /orders answered ${answer.status}: ${JSON.stringify(body)}`);
      return body.id;
    },
    `the order for ${quantity} × ${sku} to be accepted`,
    60_000,
  );
}

async function finalOrder(platform: Platform, token: string, id: string): Promise<PlacedOrder> {
  return waitFor(
    async () => {
      const answer = await fetch(`${platform.gatewayUrl}/orders/${id}`, { headers: { authorization: `Bearer ${token}` } });
      const order = (await answer.json()) as PlacedOrder;
      return order.status === 'pending' ? undefined : order;
    },
    `order ${id} to be confirmed or rejected`,
    60_000,
  );
}

const euro = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(amount);
const percent = (fraction: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(fraction);

describe('Meridian admin console against the running platform', { timeout: 600_000 }, () => {
  let platform: Platform;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let aliceToken = '';
  const placed: PlacedOrder[] = [];

  before(async () => {
    await mkdir(shots, { recursive: true });
    platform = await startPlatform();
    browser = await launchChromium();
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    admin = watchErrors(await adminContext.newPage(), 'admin');
  });

  after(async () => {
    await adminContext?.close();
    await browser?.close();
    await platform?.stop();
  });

  it('when an admin signs in, then the dashboard is the landing page and shows an empty day', async () => {
    await admin.goto(`${platform.adminUrl}/`);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await signInAtIdp(admin, 'ada');
    await admin.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor({ timeout: 30_000 });
    assert.equal(new URL(admin.url()).pathname, '/');
    assert.equal(await admin.getByTestId('kpi-orders').textContent(), '0');
    assert.equal(await admin.getByTestId('kpi-dead-letters').textContent(), '0');
  });

  it('when the admin creates a product with a little stock, then it is listed with that stock', async () => {
    await admin.getByRole('link', { name: 'Inventory' }).click();
    await admin.getByRole('button', { name: 'New product' }).click();
    await admin.getByLabel('SKU').fill(sku);
    await admin.getByLabel('Name').fill(productName);
    await admin.getByLabel('Price').fill(String(price));
    await admin.getByLabel('Low-stock threshold').fill('3');
    await admin.getByRole('button', { name: 'Save product' }).click();
    await notice(admin, `Saved ${sku}.`);
    await admin.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
    await admin.getByLabel('Change (+/−)').fill(String(stock));
    await admin.getByLabel('Reason').fill('e2e delivery');
    await admin.getByRole('button', { name: 'Adjust stock', exact: true }).click();
    await notice(admin, `Stock of ${sku} is now ${stock} on hand (${stock} available).`);
    // The list kept its rows through the save and the reload.
    await admin.locator(`tr[data-sku="${sku}"]`).waitFor();
  });

  it('when a customer places three orders (the last beyond the stock), then two are confirmed and one rejected', async () => {
    aliceToken = await customerToken(browser, platform, 'alice');
    for (const quantity of [2, 1, stock]) {
      const id = await placeOrder(platform, aliceToken, quantity);
      placed.push(await finalOrder(platform, aliceToken, id));
    }
    assert.deepEqual(
      placed.map((o) => o.status),
      ['confirmed', 'confirmed', 'rejected'],
    );
  });

  it('when the admin searches orders by the customer name, then the rows name the customer', async () => {
    const name = String(claims(aliceToken)['name'] ?? claims(aliceToken)['preferred_username']);
    await admin.getByRole('link', { name: 'Orders' }).click();
    await admin.getByLabel('Customer').fill(name.split(' ')[0] ?? name);
    const searched = admin.waitForResponse((r) => r.url().includes('/api/orders?') && r.url().includes('q='));
    await admin.getByRole('button', { name: 'Search' }).click();
    assert.equal((await searched).status(), 200);
    for (const order of placed) {
      const row = admin.locator(`tr[data-order-id="${order.id}"]`);
      await row.waitFor({ timeout: 30_000 });
      assert.match((await row.locator('td[data-label="Customer"]').textContent()) ?? '', new RegExp(name));
    }
  });

  it('when the admin ships an order, then a confirmation dialog asks first; keeping it changes nothing, confirming ships it', async () => {
    const [first] = placed;
    assert.ok(first);
    await admin.goto(`${platform.adminUrl}/orders/${first.id}`);
    await admin.getByTestId('order-id').waitFor({ timeout: 30_000 });

    await admin.getByRole('button', { name: 'Ship', exact: true }).click();
    const dialog = admin.getByRole('dialog', { name: `Ship order ${first.id.slice(0, 8)}?` });
    await dialog.waitFor();
    await screenshot(admin, 'admin-ship-confirmation');
    await dialog.getByRole('button', { name: 'Keep as it is' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await admin.locator('h1 [data-status]').getAttribute('data-status'), 'confirmed');

    await admin.getByRole('button', { name: 'Ship', exact: true }).click();
    await dialog.getByRole('button', { name: 'Ship order' }).click();
    await notice(admin, 'Order shipped.');
    assert.equal(await admin.locator('h1 [data-status]').getAttribute('data-status'), 'shipped');
    first.status = 'shipped';
  });

  it("when the admin opens the dashboard, then today's figures match the orders placed in this test", async () => {
    await admin.getByRole('link', { name: 'Dashboard' }).click();
    await admin.getByTestId('kpi-orders').waitFor({ timeout: 30_000 });
    const decided = placed.length;
    const accepted = placed.filter((o) => o.status === 'confirmed' || o.status === 'shipped');
    const rejected = placed.filter((o) => o.status === 'rejected');
    assert.equal(await admin.getByTestId('kpi-orders').textContent(), String(placed.length));
    assert.equal(await admin.getByTestId('kpi-revenue').textContent(), euro(accepted.reduce((sum, o) => sum + o.total, 0)));
    assert.equal(await admin.getByTestId('kpi-confirmation-rate').textContent(), percent(accepted.length / decided));
    assert.equal(await admin.getByTestId('kpi-rejection-rate').textContent(), percent(rejected.length / decided));
    const perHour = await admin.locator('[data-testid="hourly-chart"] g[data-hour]').evaluateAll((bars) => bars.map((g) => Number(g.getAttribute('data-orders'))));
    assert.equal(perHour.length, 24);
    assert.equal(perHour.reduce((a, b) => a + b, 0), placed.length, 'the chart holds every order of the day');
    assert.equal(perHour[new Date().getUTCHours()], placed.length, 'all of them in this hour');
    assert.equal(await admin.getByTestId('kpi-dead-letters').textContent(), '0');
    assert.ok((await admin.getByTestId('low-stock').locator('li[data-sku]').count()) >= 1, 'the low-stock panel lists products');

    await screenshot(admin, 'admin-dashboard-1280');
    await admin.setViewportSize({ width: 390, height: 844 });
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
    await screenshot(admin, 'admin-dashboard-390');
    await admin.setViewportSize({ width: 1280, height: 800 });

    // 5 in stock, 3 taken by the two accepted orders: 2 left, under the threshold of 3.
    await admin.getByTestId('low-stock').getByRole('link', { name: /low-stock product/ }).click();
    const row = admin.locator(`tr[data-sku="${sku}"]`);
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.locator('td[data-label="Available"]').textContent()) ?? '', /2\s*\(low\)/);
  });

  it("when a customer signs into the admin console, then the app's own styled refusal page names them, and signing out ends their IdP session", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = watchErrors(await context.newPage(), 'refused');
      await page.goto(`${platform.adminUrl}/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await signInAtIdp(page, 'bob');
      await page.waitForURL(`${platform.adminUrl}/refused`, { timeout: 30_000 });
      await page.getByRole('heading', { name: 'Access refused' }).waitFor();
      assert.equal(await page.getByTestId('refused-user').textContent(), 'bob');
      assert.match(await page.getByRole('alert').innerText(), /does not have the admin role/);
      // Styled by the app (its stylesheet and header), not a bare page from the BFF.
      assert.equal(await page.getByRole('link', { name: 'Meridian admin' }).count(), 1);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no admin navigation for a refused account');
      await screenshot(page, 'admin-refused');

      await page.getByRole('button', { name: 'Sign out and use another account' }).click();
      await page.waitForURL(new RegExp(`^${platform.adminUrl}/sign-in`), { timeout: 30_000 });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#password').waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });

  it('when the console screens were checked with axe-core, then none has any WCAG A/AA violation', () => {
    assert.deepEqual(a11yFindings, []);
  });

  it('when the whole journey ran, then the console threw no uncaught error and broke no CSP rule', () => {
    assert.deepEqual(pageErrors, []);
  });
});

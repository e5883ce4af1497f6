// Helpers shared by the browser journeys: error watching, screenshots with the axe check, the IdP sign-in form.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { accessibilityViolations } from './a11y.ts';

/** Screenshots of the journeys (artifacts, not committed). */
export const shotsDir = path.resolve(import.meta.dirname, 'screenshots');

export interface Findings {
  a11y: string[];
  pageErrors: string[];
}

export function newFindings(): Findings {
  return { a11y: [], pageErrors: [] };
}

/** Uncaught exceptions and Content-Security-Policy violations in the apps' pages are collected and must stay none. */
export function watchErrors(page: Page, name: string, findings: Findings): Page {
  page.on('pageerror', (error) => findings.pageErrors.push(`${name} ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) findings.pageErrors.push(`${name} ${page.url()}: ${message.text()}`);
  });
  return page;
}

/** Saves a screenshot (viewport only unless `fullPage`) and records the page's accessibility violations. */
export async function screenshot(page: Page, name: string, findings: Findings, fullPage = false): Promise<string> {
  await mkdir(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  if (new URL(page.url()).hostname === 'localhost' && !page.url().includes('/realms/')) {
    for (const finding of await accessibilityViolations(page, 'any')) findings.a11y.push(`${name}: ${finding}`);
  }
  return file;
}

/** The dev IdP's sign-in form (the same field ids as Keycloak's). */
export async function signInAtIdp(page: Page, username: string): Promise<void> {
  await page.locator('#username').waitFor({ timeout: 30_000 });
  await page.fill('#username', username);
  await page.fill('#password', `${username}-dev-password`);
  await page.click('#kc-login');
}

/** Nothing on the page is wider than the viewport (no sideways scrolling on a phone). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Elements matching `selector` whose text wraps onto a second line (a price or a total split in two). */
export async function splitValues(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements
      .filter((e) => {
        const range = document.createRange();
        range.selectNodeContents(e);
        return range.getClientRects().length > 1 && new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      })
      .map((e) => e.textContent?.trim() ?? ''),
  );
}

// PWA checks of the production admin build: a valid, installable manifest; the Angular service worker
// registers and caches the shell; with the network offline a reload still shows the app (and the offline banner).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchPersistentChromium, waitFor } from './browser.ts';
import { serveSite, type Site } from './serve.ts';

const distRoot = path.resolve(import.meta.dirname, '../dist/admin/browser');

function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

interface Manifest {
  name?: string;
  short_name?: string;
  start_url?: string;
  scope?: string;
  display?: string;
  theme_color?: string;
  background_color?: string;
  icons?: { src: string; sizes: string; type?: string; purpose?: string }[];
}

describe('admin PWA (production build)', () => {
  let site: Site;
  let profile: string;

  before(async () => {
    await readFile(path.join(distRoot, 'ngsw.json')).catch(() => {
      throw new Error(`no production build with a service worker at ${distRoot}: run "ng build admin" first`);
    });
    site = await serveSite({ root: distRoot, signedOut: ['/auth', '/api'] });
    profile = await mkdtemp(path.join(os.tmpdir(), 'meridian-pwa-'));
  });

  after(async () => {
    await site?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('when the manifest is read, then it is valid for installation with 192 and 512 px PNG icons', async () => {
    const html = await (await fetch(`${site.url}/`)).text();
    const href = /<link rel="manifest" href="([^"]+)"/.exec(html)?.[1];
    assert.ok(href, 'index.html links a manifest');
    assert.match(html, /<meta name="theme-color"/);
    assert.match(html, /<meta name="viewport"/);
    const response = await fetch(new URL(href, `${site.url}/`));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /manifest\+json|json/);
    const manifest = (await response.json()) as Manifest;
    assert.ok(manifest.name && manifest.short_name, 'name and short_name');
    assert.ok(['standalone', 'fullscreen', 'minimal-ui'].includes(manifest.display ?? ''), 'display mode');
    const scope = new URL(manifest.scope ?? '/', site.url);
    assert.ok(new URL(manifest.start_url ?? '', site.url).href.startsWith(scope.href), 'start_url inside scope');
    assert.match(manifest.theme_color ?? '', /^#[0-9a-f]{6}$/i);
    for (const wanted of [192, 512]) {
      const icon = manifest.icons?.find((i) => i.sizes === `${wanted}x${wanted}` && i.type === 'image/png' && (i.purpose ?? 'any').includes('any'));
      assert.ok(icon, `an "any" PNG icon of ${wanted}px`);
      const iconResponse = await fetch(new URL(icon.src, new URL(href, `${site.url}/`)));
      const bytes: Buffer = Buffer.from(await iconResponse.arrayBuffer());
      assert.deepEqual(pngSize(bytes), { width: wanted, height: wanted });
    }
  });

  it('when the app is loaded, then the service worker registers, Chromium finds it installable, and an offline reload still shows the shell', async () => {
    const context = await launchPersistentChromium(profile);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${site.url}/`, { waitUntil: 'load' });
      await page.getByRole('heading', { name: 'Meridian admin' }).waitFor({ timeout: 30_000 });

      const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, `${site.url}/`);
      // The Angular worker caches the shell (prefetch group) in the background: wait until index.html is in it.
      await waitFor(
        () =>
          page.evaluate(async () => {
            for (const name of await caches.keys()) {
              if (!name.includes(':assets:shell:')) continue;
              const cache = await caches.open(name);
              if (await cache.match('/index.html')) return true;
            }
            return false;
          }),
        'the service worker to cache the shell',
        60_000,
      );

      const cdp = await context.newCDPSession(page);
      const manifest = (await cdp.send('Page.getAppManifest')) as { errors: { message: string }[]; url: string };
      assert.deepEqual(manifest.errors, [], 'Chromium parses the manifest without errors');
      const installability = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
      assert.deepEqual(installability.installabilityErrors, [], 'Chromium finds the app installable');
      await cdp.detach();

      await context.setOffline(true);
      await page.reload({ waitUntil: 'load' });
      await page.getByRole('heading', { name: 'Meridian admin' }).waitFor({ timeout: 30_000 });
      await page.getByTestId('offline-banner').waitFor({ state: 'visible', timeout: 15_000 }).catch(async (error: Error) => {
        throw new Error(`${error.message}\nnavigator.onLine=${await page.evaluate(() => navigator.onLine)}\n${await page.evaluate(() => document.body.innerText)}`);
      });
      assert.equal(await page.evaluate(() => navigator.onLine), false);
      const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
      assert.ok(controlled, 'the offline page is served by the service worker');
    } finally {
      await context.close();
    }
  });
});

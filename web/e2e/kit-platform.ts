// Runs under bun, started by run-platform.ts: the platform for the web end-to-end tests is the kit's test harness
// (`startPlatform` from @meridian/kit/testing: own RabbitMQ vhost, databases, Redis prefix, free ports, dev IdP),
// which uses Bun's APIs, while the tests drive Chromium from Node. Prints one line, `platform <json>` (see
// KitPlatformInfo), once everything is ready; stops the platform when its stdin closes (the Node side ended or
// died) or on SIGINT/SIGTERM. Not in e2e/tsconfig.json: the kit is type-checked with Bun's types by its own tests.
// The web workspace installs with npm, so the kit is imported by path rather than as a package.
import { freePort } from '../../svc/kit/src/testing/index.ts';
import { DEFAULT_PROCESSES, startPlatform, type Platform } from '../../platform/src/index.ts';
import { seedCatalogue } from '../../svc/inventory/src/seed/index.ts';
import { InventoryStore, openInventoryDatabase } from '../../svc/inventory/src/store/index.ts';

/** What run-platform.ts reads (its KitPlatformInfo); the app sites' ports are taken here so the BFF knows its origin. */
interface KitPlatformInfo {
  id: string;
  issuer: string;
  gatewayUrl: string;
  bffUrl: string;
  customerPort: number;
  adminPort: number;
  logDir: string;
}

const logDir = process.env['E2E_LOG_DIR'];
const [customerPort, adminPort] = [await freePort(), await freePort()];
// The browser reaches the BFF through the admin app's origin (same-origin cookies, CSRF origin check).
const adminUrl = `http://localhost:${adminPort}`;

const platform: Platform = await startPlatform({
  processes: [...DEFAULT_PROCESSES, 'admin-bff'],
  readyTimeoutMs: 90_000,
  ...(logDir ? { logDir } : {}),
  ...(process.env['E2E_LOG_LEVEL'] ? { env: { LOG_LEVEL: process.env['E2E_LOG_LEVEL'] } } : {}),
  envFor: { 'admin-bff': { BFF_PUBLIC_URL: adminUrl, ADMIN_APP_URL: `${adminUrl}/` } },
});

// The demo catalogue, as `bun run up` seeds it: the shop journeys browse, filter and buy its products. The running
// inventory service's outbox relay publishes the products, so orders learns their prices shortly after.
const inventoryDb = openInventoryDatabase(platform.databases.inventory.url, { max: 1 });
try {
  await seedCatalogue(new InventoryStore(inventoryDb.db));
} catch (error) {
  await platform.stop();
  throw error;
} finally {
  await inventoryDb.close();
}

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => (stopping ??= platform.stop().then(() => process.exit(0)));
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();

const info: KitPlatformInfo = {
  id: platform.id,
  issuer: platform.issuer,
  gatewayUrl: platform.gatewayUrl,
  bffUrl: platform.url('admin-bff'),
  customerPort,
  adminPort,
  logDir: platform.logDir,
};
console.log(`platform ${JSON.stringify(info)}`);

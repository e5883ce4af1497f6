// Starts the Meridian platform on loopback for the end-to-end tests: dev IdP, the five services, the
// gateway and the admin BFF, each with `bun`, on free ports, with databases, a RabbitMQ exchange, queue
// names and a Redis prefix unique to this run (so parallel runs and the developer's own `bun run up` never
// mix), plus the two built web apps behind small static servers that proxy like the deployed nginx does.
//
// Needs: bun on PATH, PostgreSQL (127.0.0.1:5432, trust for postgres), Redis :6379 and RabbitMQ :5672
// (scripts/infra.sh), psql, rabbitmqctl and redis-cli, and `ng build` output in web/dist.
// As a command (`node e2e/run-platform.ts`) it keeps everything up and prints the URLs until Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './browser.ts';
import { serveSite, type Site } from './serve.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(webRoot, '..');

export interface Platform {
  runId: string;
  issuer: string;
  gatewayUrl: string;
  customerUrl: string;
  adminUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

interface ProcessSpec {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  ready: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function psql(sql: string): void {
  const result = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed (${sql}): ${result.stderr || result.error?.message}`);
}

function rabbitmqctl(args: string[]): string {
  const result = spawnSync('rabbitmqctl', ['-q', ...args], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout : '';
}

/** Deletes this run's Redis keys (only keys under its own prefix). */
function deleteRedisKeys(pattern: string): void {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const scan = spawnSync('redis-cli', ['-u', url, '--scan', '--pattern', pattern], { encoding: 'utf8' });
  const keys = scan.status === 0 ? scan.stdout.split('\n').filter((k) => k !== '') : [];
  for (let i = 0; i < keys.length; i += 200) spawnSync('redis-cli', ['-u', url, 'del', ...keys.slice(i, i + 200)]);
}

async function ready(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  return response?.ok ?? false;
}

export async function startPlatform(): Promise<Platform> {
  const runId = `e2e${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const logDir = path.join(webRoot, 'e2e', '.out', runId);
  await mkdir(logDir, { recursive: true });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-e2e-'));

  const [idp, gateway, orders, inventory, worker, notifications, audit, bff, customerPort, adminPort] = await Promise.all(
    Array.from({ length: 10 }, () => freePort()),
  );
  const issuer = `http://localhost:${idp}/realms/meridian`;
  const gatewayUrl = `http://127.0.0.1:${gateway}`;
  const adminUrl = `http://localhost:${adminPort}`;
  const customerUrl = `http://localhost:${customerPort}`;
  const exchange = `meridian.${runId}`;
  const databases = { orders: `meridian_${runId}_orders`, inventory: `meridian_${runId}_inventory`, audit: `meridian_${runId}_audit` };
  const pg = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;

  const children: ChildProcess[] = [];
  const sites: Site[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(sites.map((s) => s.close()));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const db of Object.values(databases)) {
      try {
        psql(`drop database if exists "${db}" with (force)`);
      } catch {
        // Best effort: a database left behind carries the run id and harms no one.
      }
    }
    for (const line of rabbitmqctl(['list_queues', 'name']).split('\n')) {
      const queue = line.trim();
      if (queue.startsWith(runId)) rabbitmqctl(['delete_queue', queue]);
    }
    deleteRedisKeys(`notif:${runId}:*`);
    rabbitmqctl(['eval', `rabbit_exchange:delete(rabbit_misc:r(<<"/">>, exchange, <<"${exchange}">>), false, <<"e2e">>).`]);
    await rm(tmp, { recursive: true, force: true });
  };

  try {
    for (const db of Object.values(databases)) psql(`create database "${db}"`);

    // The platform's route table, pointed at this run's ports.
    const portMap: Record<number, number> = { 5101: orders, 5102: inventory, 5103: notifications, 5104: audit };
    const table = JSON.parse(await readFile(path.join(repoRoot, 'gateway', 'ocelot.json'), 'utf8')) as {
      Routes: { DownstreamHostAndPorts?: { Host: string; Port?: number }[] }[];
      GlobalConfiguration?: { BaseUrl?: string };
    };
    for (const route of table.Routes) {
      for (const hp of route.DownstreamHostAndPorts ?? []) {
        if (hp.Port && portMap[hp.Port]) hp.Port = portMap[hp.Port];
      }
    }
    if (table.GlobalConfiguration) table.GlobalConfiguration.BaseUrl = gatewayUrl;
    const routesFile = path.join(tmp, 'ocelot.json');
    await writeFile(routesFile, JSON.stringify(table, null, 2));

    const common = {
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: 'meridian-api',
      RABBITMQ_URL: process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      RABBITMQ_EXCHANGE: exchange,
      EVENTS_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: `${runId}-`,
      SHUTDOWN_GRACE_MS: '3000',
    };
    const health = (port: number) => `http://127.0.0.1:${port}/health/ready`;
    const specs: ProcessSpec[] = [
      { name: 'dev-idp', entry: 'svc/dev-idp/src/main.ts', port: idp, env: { DEV_IDP_LOOPBACK_ANY_PORT: 'true' }, ready: `${issuer}/.well-known/openid-configuration` },
      { name: 'inventory', entry: 'svc/inventory/src/main.ts', port: inventory, env: { DATABASE_URL: pg(databases.inventory) }, ready: health(inventory) },
      { name: 'inventory-worker', entry: 'svc/inventory-worker/src/main.ts', port: worker, env: { DATABASE_URL: pg(databases.inventory) }, ready: health(worker) },
      { name: 'orders', entry: 'svc/orders/src/main.ts', port: orders, env: { DATABASE_URL: pg(databases.orders), ORDERS_STORE: 'postgres' }, ready: health(orders) },
      { name: 'notifications', entry: 'svc/notifications/src/main.ts', port: notifications, env: { NOTIFICATIONS_KEY_PREFIX: `notif:${runId}:`, CONSUMER_NAME: `${runId}-notifications` }, ready: health(notifications) },
      { name: 'audit', entry: 'svc/audit/src/main.ts', port: audit, env: { DATABASE_URL: pg(databases.audit), CONSUMER_NAME: `${runId}-audit` }, ready: health(audit) },
      { name: 'gateway', entry: 'gateway/src/main.ts', port: gateway, env: { GATEWAY_ROUTES: routesFile }, ready: health(gateway) },
      {
        name: 'admin-bff',
        entry: 'svc/admin-bff/src/main.ts',
        port: bff,
        env: {
          ADMIN_CLIENT_SECRET: 'local-dev-only-admin-console-secret',
          // The browser reaches the BFF through the admin app's origin (same-origin cookies, CSRF origin check).
          BFF_PUBLIC_URL: adminUrl,
          ADMIN_APP_URL: `${adminUrl}/`,
          GATEWAY_URL: gatewayUrl,
        },
        ready: health(bff),
      },
    ];

    const start = (spec: ProcessSpec) => {
      const log = createWriteStream(path.join(logDir, `${spec.name}.log`));
      const child = spawn('bun', [spec.entry], {
        cwd: repoRoot,
        env: { ...process.env, ...common, ...spec.env, PORT: String(spec.port), OTEL_SERVICE_NAME: spec.name },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      children.push(child);
      return child;
    };
    const waitReady = async (spec: ProcessSpec, child: ChildProcess) => {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode}: see ${logDir}/${spec.name}.log`);
          return ready(spec.ready);
        },
        `${spec.name} to be ready at ${spec.ready} (log: ${logDir}/${spec.name}.log)`,
        90_000,
      ).catch((error: Error) => {
        throw new Error(error.message.replace(/^timed out/, `${spec.name} not ready`));
      });
    };

    // The IdP first (everyone discovers it), then the rest together.
    const [idpSpec, ...rest] = specs;
    await waitReady(idpSpec, start(idpSpec));
    const started = rest.map((spec) => [spec, start(spec)] as const);
    await Promise.all(started.map(([spec, child]) => waitReady(spec, child)));

    sites.push(
      await serveSite({
        root: path.join(webRoot, 'dist', 'customer', 'browser'),
        port: customerPort,
        proxies: [{ prefix: '/api', target: gatewayUrl, stripPrefix: true }],
        overrides: {
          '/config.json': JSON.stringify({ issuer, clientId: 'customer-spa', apiBase: '/api', currency: 'EUR' }),
        },
      }),
      await serveSite({
        root: path.join(webRoot, 'dist', 'admin', 'browser'),
        port: adminPort,
        proxies: [
          { prefix: '/auth', target: `http://127.0.0.1:${bff}` },
          { prefix: '/api', target: `http://127.0.0.1:${bff}` },
        ],
      }),
    );
    return { runId, issuer, gatewayUrl, customerUrl, adminUrl, logDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (import.meta.main) {
  const platform = await startPlatform();
  console.log(`Meridian platform ${platform.runId} is up:
  customer shop   ${platform.customerUrl}   (alice / alice-dev-password)
  admin console   ${platform.adminUrl}   (ada / ada-dev-password)
  gateway         ${platform.gatewayUrl}
  issuer          ${platform.issuer}
  logs            ${platform.logDir}
Ctrl-C stops it.`);
  const shutdown = () => void platform.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

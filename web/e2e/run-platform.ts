// Starts the Meridian platform on loopback for the end-to-end tests and puts the two built web apps in front of
// it, behind small static servers that proxy like the deployed nginx does (and send its CSP).
//
// The platform itself is the kit's test harness (`startPlatform` from @meridian/kit/testing, the one e2e/, bench/
// and the services' tests use): dev IdP, the five services, the gateway and the admin BFF, each with `bun`, on
// free ports, with a RabbitMQ vhost, databases and a Redis prefix of this run, removed afterwards. The harness
// uses Bun's APIs and these tests drive Chromium from Node, so it runs in a `bun` child (kit-platform.ts) that
// reports its URLs on one line and stops the platform when this process closes its stdin or goes away.
//
// Needs: bun on PATH, PostgreSQL (127.0.0.1:5432, trust for postgres), Redis :6379 and RabbitMQ :5672
// (scripts/infra.sh) with rabbitmqctl, and `ng build` output in web/dist.
// As a command (`node e2e/run-platform.ts`) it keeps everything up and prints the URLs until Ctrl-C.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
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

/** The line kit-platform.ts prints once the platform is ready. */
interface KitPlatformInfo {
  id: string;
  issuer: string;
  gatewayUrl: string;
  bffUrl: string;
  customerPort: number;
  adminPort: number;
  logDir: string;
}

/** The Content-Security-Policy the app's nginx site sends, so the browser here enforces the deployed policy. */
export function nginxCsp(app: 'customer' | 'admin'): string {
  const conf = readFileSync(path.join(webRoot, `nginx-${app}.conf`), 'utf8');
  const csp = /add_header Content-Security-Policy "([^"]+)"/.exec(conf)?.[1];
  if (!csp) throw new Error(`web/nginx-${app}.conf has no Content-Security-Policy`);
  return csp;
}

export async function startPlatform(): Promise<Platform> {
  const runId = `e2e${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const logDir = path.join(webRoot, 'e2e', '.out', runId);
  await mkdir(logDir, { recursive: true });

  const child = spawn('bun', [path.join(webRoot, 'e2e', 'kit-platform.ts')], {
    cwd: repoRoot,
    env: { ...process.env, E2E_LOG_DIR: logDir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const sites: Site[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(sites.map((s) => s.close()));
    // Closing its stdin tells the bun side to stop the platform (processes, vhost, databases, Redis keys).
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const info = await new Promise<KitPlatformInfo>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (line.startsWith('platform ')) resolve(JSON.parse(line.slice('platform '.length)) as KitPlatformInfo);
      });
      child.once('error', reject);
      void exited.then(() => reject(new Error(`the platform did not start (bun exited ${child.exitCode}); logs: ${logDir}`)));
    });
    const customer = await serveSite({
      root: path.join(webRoot, 'dist', 'customer', 'browser'),
      port: info.customerPort,
      proxies: [{ prefix: '/api', target: info.gatewayUrl, stripPrefix: true }],
      overrides: {
        '/config.json': JSON.stringify({ issuer: info.issuer, clientId: 'customer-spa', apiBase: '/api', currency: 'EUR' }),
      },
      headers: { 'content-security-policy': nginxCsp('customer') },
    });
    sites.push(customer);
    const admin = await serveSite({
      root: path.join(webRoot, 'dist', 'admin', 'browser'),
      port: info.adminPort,
      proxies: [
        { prefix: '/auth', target: info.bffUrl },
        { prefix: '/api', target: info.bffUrl },
      ],
      headers: { 'content-security-policy': nginxCsp('admin') },
    });
    sites.push(admin);
    return { runId: info.id, issuer: info.issuer, gatewayUrl: info.gatewayUrl, customerUrl: customer.url, adminUrl: admin.url, logDir, stop };
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

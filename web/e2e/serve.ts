// A small static server for the built apps, used by the PWA check and the end-to-end tests: serves
// dist/<app>/browser with the SPA fallback, overrides a few files (config.json), and proxies path prefixes
// (the customer's /api → gateway, the admin's /auth and /api → admin BFF), streaming (SSE passes through).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Proxy {
  prefix: string;
  target: string;
  /** Drop the prefix before forwarding (/api/orders → /orders). */
  stripPrefix?: boolean;
}

export interface SiteOptions {
  root: string;
  host?: string;
  port?: number;
  proxies?: Proxy[];
  /** Path → body served instead of a file (e.g. /config.json for this environment). */
  overrides?: Record<string, string>;
  /** Headers on every file served (e.g. the nginx site's Content-Security-Policy). */
  headers?: Record<string, string>;
  /** Prefixes without a backend here: answered 401 problem+json (a BFF that knows no session), never index.html. */
  signedOut?: string[];
}

export interface Site {
  url: string;
  port: number;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

function forward(proxy: Proxy, req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = new URL(proxy.target);
  const rest = proxy.stripPrefix ? (req.url ?? '/').slice(proxy.prefix.length) || '/' : (req.url ?? '/');
  const headers = { ...req.headers };
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-prefix'] = proxy.stripPrefix ? proxy.prefix : '';
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: rest.startsWith('/') ? rest : `/${rest}`, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Bad gateway', status: 502, detail: `${proxy.target} is unreachable: ${error.message}` }));
    } else {
      res.destroy();
    }
  });
  // The browser went away (e.g. an EventSource closed): stop the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

async function serveFile(root: string, urlPath: string, res: http.ServerResponse, headers: Record<string, string>): Promise<void> {
  const decoded = decodeURIComponent(urlPath);
  const resolved = path.resolve(root, '.' + decoded);
  let file = resolved.startsWith(path.resolve(root)) ? resolved : path.join(root, 'index.html');
  let info = await stat(file).catch(() => null);
  if (!info || info.isDirectory()) {
    // SPA fallback for routes; a missing asset (with an extension) is a real 404.
    if (path.extname(decoded) !== '' && decoded !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    file = path.join(root, 'index.html');
    info = await stat(file);
  }
  const ext = path.extname(file);
  const immutable = /-[A-Za-z0-9_]{8,}\.(js|css)$/.test(file);
  res.writeHead(200, {
    ...headers,
    'content-type': types[ext] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
}

export async function serveSite(options: SiteOptions): Promise<Site> {
  const proxies = options.proxies ?? [];
  const overrides = options.overrides ?? {};
  const server = http.createServer((req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0];
    const proxy = proxies.find((p) => urlPath === p.prefix || urlPath.startsWith(p.prefix + '/'));
    if (proxy) return forward(proxy, req, res);
    if ((options.signedOut ?? []).some((p) => urlPath === p || urlPath.startsWith(p + '/'))) {
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Not signed in', status: 401, detail: 'No session.' }));
      return;
    }
    if (overrides[urlPath] !== undefined) {
      const ext = path.extname(urlPath);
      res.writeHead(200, { 'content-type': types[ext] ?? 'text/plain', 'cache-control': 'no-store' });
      res.end(overrides[urlPath]);
      return;
    }
    serveFile(options.root, urlPath, res, options.headers ?? {}).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// `node e2e/serve.ts`: the two built apps for local runs (scripts/up.sh via web/serve.sh), proxied as nginx does
// in compose and Kubernetes: customer :4200 (/api → gateway), admin :4201 (/auth, /api → admin BFF).
if (import.meta.main) {
  const env = process.env;
  const webRoot = path.resolve(import.meta.dirname, '..');
  const customer = await serveSite({
    root: path.join(webRoot, 'dist', 'customer', 'browser'),
    host: env['HOST'] ?? '127.0.0.1',
    port: Number(env['CUSTOMER_PORT'] ?? 4200),
    proxies: [{ prefix: '/api', target: env['GATEWAY_URL'] ?? 'http://127.0.0.1:8080', stripPrefix: true }],
    overrides: env['OIDC_ISSUER'] ? { '/config.json': JSON.stringify({ issuer: env['OIDC_ISSUER'], apiBase: '/api' }) } : {},
  });
  const admin = await serveSite({
    root: path.join(webRoot, 'dist', 'admin', 'browser'),
    host: env['HOST'] ?? '127.0.0.1',
    port: Number(env['ADMIN_PORT'] ?? 4201),
    proxies: ['/auth', '/api'].map((prefix) => ({ prefix, target: env['ADMIN_BFF_URL'] ?? 'http://127.0.0.1:5106' })),
  });
  console.log(`customer shop ${customer.url}, admin console ${admin.url}`);
  const stop = () => void Promise.all([customer.close(), admin.close()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

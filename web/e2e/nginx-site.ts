// Serves a built app with Debian's nginx and the very configuration its image uses (web/nginx.conf + the app's
// web/nginx-<app>.conf, rendered as the nginx image's entrypoint does: only the named ${VARIABLES} are replaced),
// so Lighthouse and the deep-link checks see what compose and Kubernetes serve: gzip, caching headers, CSP, the
// SPA fallback and the /api proxy to the gateway. Paths the container has (/tmp, /usr/share/nginx/html, :8080)
// are moved into a temporary directory, the build output and a free port.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const webRoot = path.resolve(import.meta.dirname, '..');
export const nginxPath = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx';

export interface NginxSite {
  url: string;
  stop(): Promise<void>;
}

/** A port nothing listens on yet, on loopback. */
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

/** The entrypoint's envsubst: replaces ${NAME} for the given names only (nginx's own $variables stay). */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

async function run(args: string[]): Promise<void> {
  const child = spawn(nginxPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`nginx ${args.join(' ')} exited ${code} (is Debian's nginx installed? scripts/setup.sh)`);
}

export async function startNginxSite(app: 'customer' | 'admin', env: Record<string, string>): Promise<NginxSite> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `meridian-nginx-${app}-`));
  const port = await freePort();
  const site = renderTemplate(await readFile(path.join(webRoot, `nginx-${app}.conf`), 'utf8'), env)
    .replace(/listen 8080;/, `listen 127.0.0.1:${port};`)
    .replace(/root \/usr\/share\/nginx\/html;/, `root ${path.join(webRoot, 'dist', app, 'browser')};`);
  const main = (await readFile(path.join(webRoot, 'nginx.conf'), 'utf8'))
    .replaceAll('/tmp/', `${dir}/`)
    .replace(/access_log \/dev\/stdout json;/, `access_log ${dir}/access.log json;`)
    // Run by root here (CI), the workers would otherwise switch to nobody; in the image nginx is uid 101 already.
    .replace(/^worker_processes auto;/m, `worker_processes 1;${process.getuid?.() === 0 ? '\nuser root;' : ''}`);
  await writeFile(path.join(dir, 'default.conf'), site);
  await writeFile(path.join(dir, 'nginx.conf'), main);
  const conf = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  await run([...conf, '-t', '-q']);
  await run(conf);
  return {
    url: `http://localhost:${port}`,
    stop: async () => {
      await run([...conf, '-s', 'quit']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Gateway overhead: the same downstream reached directly, through nginx as a plain reverse proxy (the
 * practical ceiling for a proxy hop) and through the gateway with JWT verification and scope checks.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT, startTestIssuer } from "@meridian/kit/testing";
import { cpuSeconds, freePort, rssMiB, spawn, waitReady, type Child } from "./proc";
import { wrk, type LoadResult } from "./wrk";

export interface GatewayOverheadResult {
  seconds: number;
  connections: number;
  direct: LoadResult;
  nginx: LoadResult;
  gateway: LoadResult & { cpuSeconds: number; rssMiB: number };
  ratios: { gatewayToNginxRps: number; gatewayToNginxP50: number; gatewayToNginxP99: number };
}

function nginxConfig(dir: string, port: number, downstream: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream downstream { server 127.0.0.1:${downstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://downstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export async function gatewayOverhead(seconds = 10, connections = 32): Promise<GatewayOverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), "meridian-bench-"));
  const children: Child[] = [];
  const issuer = await startTestIssuer();
  try {
    const downstreamPort = await freePort();
    children.push(spawn(["bun", resolve(import.meta.dir, "downstream.ts")], { PORT: String(downstreamPort) }));
    await waitReady(`http://127.0.0.1:${downstreamPort}/ready`);

    const nginxPort = await freePort();
    writeFileSync(join(dir, "nginx.conf"), nginxConfig(dir, nginxPort, downstreamPort));
    children.push(spawn(["nginx", "-p", dir, "-c", join(dir, "nginx.conf")]));
    await waitReady(`http://127.0.0.1:${nginxPort}/ready`);

    const gatewayPort = await freePort();
    const routes = {
      Routes: [
        {
          UpstreamPathTemplate: "/bench/{everything}",
          UpstreamHttpMethod: ["Get"],
          DownstreamPathTemplate: "/{everything}",
          DownstreamScheme: "http",
          DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: downstreamPort }],
          AuthenticationOptions: { AuthenticationProviderKey: "Keycloak", AllowedScopes: ["orders.read"] },
        },
      ],
      GlobalConfiguration: {},
    };
    writeFileSync(join(dir, "ocelot.json"), JSON.stringify(routes));
    const gateway = spawn(["bun", "gateway/src/main.ts"], {
      PORT: String(gatewayPort),
      GATEWAY_ROUTES: join(dir, "ocelot.json"),
      OIDC_ISSUER: issuer.issuer,
      LOG_LEVEL: "warn",
    }, REPO_ROOT);
    children.push(gateway);
    await waitReady(`http://127.0.0.1:${gatewayPort}/health/ready`);

    const token = await issuer.token({ sub: "bench", scopes: ["orders.read"], roles: ["customer"], expiresInSec: 3600 });
    const load = (url: string, headers?: Record<string, string>) => wrk({ url, seconds, connections, headers });

    // A short warm-up per target so JIT and connection pools are settled before measuring.
    await wrk({ url: `http://127.0.0.1:${downstreamPort}/items`, seconds: 2, connections });
    const direct = await load(`http://127.0.0.1:${downstreamPort}/items`);
    await wrk({ url: `http://127.0.0.1:${nginxPort}/items`, seconds: 2, connections });
    const nginx = await load(`http://127.0.0.1:${nginxPort}/items`);
    const auth = { Authorization: `Bearer ${token}` };
    await wrk({ url: `http://127.0.0.1:${gatewayPort}/bench/items`, seconds: 2, connections, headers: auth });
    const cpuBefore = cpuSeconds(gateway.pid);
    const viaGateway = await load(`http://127.0.0.1:${gatewayPort}/bench/items`, auth);
    const gatewayCpu = cpuSeconds(gateway.pid) - cpuBefore;
    if (viaGateway.non2xx > 0) throw new Error(`gateway answered ${viaGateway.non2xx} non-2xx responses: check the token or the route`);

    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      seconds,
      connections,
      direct,
      nginx,
      gateway: { ...viaGateway, cpuSeconds: round(gatewayCpu), rssMiB: rssMiB(gateway.pid) },
      ratios: {
        gatewayToNginxRps: round(viaGateway.requestsPerSecond / nginx.requestsPerSecond),
        gatewayToNginxP50: round(viaGateway.p50Ms / nginx.p50Ms),
        gatewayToNginxP99: round(viaGateway.p99Ms / nginx.p99Ms),
      },
    };
  } finally {
    await Promise.allSettled(children.reverse().map((c) => c.stop()));
    await issuer.stop();
  }
}

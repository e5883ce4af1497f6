/**
 * Gateway overhead: the same downstream reached directly, through nginx as a plain reverse proxy (the
 * practical ceiling for a proxy hop), through a bare Bun proxy (Bun.serve + fetch, no checks: Bun's own cost) and
 * through the gateway with JWT verification and scope checks. The targets are measured in alternating rounds in one
 * run (the machine may be shared) and each keeps its best round; then the gateway runs once more under
 * `bun --cpu-prof` for the functions with the most self time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT, startTestIssuer } from "@meridian/kit/testing";
import { summarizeProfile, type ProfileSummary } from "./cpu-profile";
import { cpuSeconds, freePort, rssMiB, spawn, waitReady, type Child } from "./proc";
import { wrk, type LoadResult } from "./wrk";

export interface GatewayOverheadResult {
  seconds: number;
  connections: number;
  direct: LoadResult;
  nginx: LoadResult;
  bareBun?: LoadResult;
  gateway: LoadResult & { cpuSeconds: number; rssMiB: number };
  rounds?: number;
  ratios: {
    gatewayToNginxRps: number;
    gatewayToNginxP50: number;
    gatewayToNginxP99: number;
    bareBunToNginxRps?: number;
    /** Gateway p50 minus nginx p50, ms. */
    gatewayAddedP50Ms?: number;
  };
  /**
   * CPU per proxied request (µs, the proxy's processes only) in the best round of each: on a shared machine this
   * compares the proxies' own cost where req/s mostly measures the neighbours.
   */
  cpuPerRequestUs?: { nginx: number; bareBun: number; gateway: number };
  /** Self time of the gateway process under the same load (`bun --cpu-prof`). */
  profile?: { seconds: number } & ProfileSummary;
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

const better = (a: LoadResult | undefined, b: LoadResult) => (a && a.requestsPerSecond >= b.requestsPerSecond ? a : b);

/** CPU seconds of a process and its children (nginx's worker runs under its master). */
function treeCpuSeconds(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // The process is gone or the kernel has no children file: count the process alone.
  }
  return cpuSeconds(pid) + children.reduce((sum, child) => sum + treeCpuSeconds(child), 0);
}

export async function gatewayOverhead(seconds = 10, connections = 32, rounds = 2): Promise<GatewayOverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), "meridian-bench-"));
  const children: Child[] = [];
  const issuer = await startTestIssuer();
  try {
    const downstreamPort = await freePort();
    children.push(spawn(["bun", resolve(import.meta.dir, "downstream.ts")], { PORT: String(downstreamPort) }));
    await waitReady(`http://127.0.0.1:${downstreamPort}/ready`);

    const nginxPort = await freePort();
    writeFileSync(join(dir, "nginx.conf"), nginxConfig(dir, nginxPort, downstreamPort));
    const nginx = spawn(["nginx", "-p", dir, "-c", join(dir, "nginx.conf")]);
    children.push(nginx);
    await waitReady(`http://127.0.0.1:${nginxPort}/ready`);

    const barePort = await freePort();
    const bare = spawn(["bun", resolve(import.meta.dir, "bare-proxy.ts")], {
      PORT: String(barePort),
      DOWNSTREAM_PORT: String(downstreamPort),
    });
    children.push(bare);
    await waitReady(`http://127.0.0.1:${barePort}/ready`);

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
    const startGateway = async (bunArgs: string[] = []) => {
      const port = await freePort();
      const child = spawn(
        ["bun", ...bunArgs, "gateway/src/main.ts"],
        {
          PORT: String(port),
          GATEWAY_ROUTES: join(dir, "ocelot.json"),
          OIDC_ISSUER: issuer.issuer,
          LOG_LEVEL: "warn",
        },
        REPO_ROOT,
      );
      children.push(child);
      await waitReady(`http://127.0.0.1:${port}/health/ready`);
      return { child, url: `http://127.0.0.1:${port}/bench/items` };
    };
    const gateway = await startGateway();

    const token = await issuer.token({ sub: "bench", scopes: ["orders.read"], roles: ["customer"], expiresInSec: 3600 });
    const auth = { Authorization: `Bearer ${token}` };
    const targets = {
      direct: { url: `http://127.0.0.1:${downstreamPort}/items`, headers: undefined },
      nginx: { url: `http://127.0.0.1:${nginxPort}/items`, headers: undefined },
      bareBun: { url: `http://127.0.0.1:${barePort}/items`, headers: undefined },
      gateway: { url: gateway.url, headers: auth },
    };
    // A short warm-up per target so JIT and connection pools are settled before measuring.
    for (const t of Object.values(targets)) await wrk({ ...t, seconds: 2, connections });
    const best: Partial<Record<keyof typeof targets, LoadResult>> = {};
    const pids = { direct: 0, nginx: nginx.pid, bareBun: bare.pid, gateway: gateway.child.pid };
    const cpu = { direct: 0, nginx: 0, bareBun: 0, gateway: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const [name, t] of Object.entries(targets) as Array<[keyof typeof targets, (typeof targets)["direct"]]>) {
        const cpuBefore = pids[name] ? treeCpuSeconds(pids[name]) : 0;
        const result = await wrk({ ...t, seconds, connections });
        if (name === "gateway" && result.non2xx > 0)
          throw new Error(`gateway answered ${result.non2xx} non-2xx responses: check the token or the route`);
        if (!best[name] || result.requestsPerSecond > (best[name] as LoadResult).requestsPerSecond)
          cpu[name] = pids[name] ? treeCpuSeconds(pids[name]) - cpuBefore : 0;
        best[name] = better(best[name], result);
      }
    }
    const gatewayCpu = cpu.gateway;
    const rss = rssMiB(gateway.child.pid);
    await gateway.child.stop();

    // The profile run: the same load against a gateway started under the sampling profiler.
    const profileDir = join(dir, "profile");
    const profiled = await startGateway(["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
    await wrk({ url: profiled.url, headers: auth, seconds: 2, connections });
    await wrk({ url: profiled.url, headers: auth, seconds, connections });
    await profiled.child.stop();
    const profile = { seconds, ...summarizeProfile(profileDir) };

    const round = (n: number) => Math.round(n * 100) / 100;
    const [direct, viaNginx, bareBun, viaGateway] = [best.direct!, best.nginx!, best.bareBun!, best.gateway!];
    const perRequest = (seconds: number, load: LoadResult) => Math.round((seconds / load.requests) * 1e6);
    return {
      seconds,
      connections,
      rounds,
      direct,
      nginx: viaNginx,
      bareBun,
      gateway: { ...viaGateway, cpuSeconds: round(gatewayCpu), rssMiB: rss },
      ratios: {
        gatewayToNginxRps: round(viaGateway.requestsPerSecond / viaNginx.requestsPerSecond),
        gatewayToNginxP50: round(viaGateway.p50Ms / viaNginx.p50Ms),
        gatewayToNginxP99: round(viaGateway.p99Ms / viaNginx.p99Ms),
        bareBunToNginxRps: round(bareBun.requestsPerSecond / viaNginx.requestsPerSecond),
        gatewayAddedP50Ms: round(viaGateway.p50Ms - viaNginx.p50Ms),
      },
      cpuPerRequestUs: {
        nginx: perRequest(cpu.nginx, viaNginx),
        bareBun: perRequest(cpu.bareBun, bareBun),
        gateway: perRequest(cpu.gateway, viaGateway),
      },
      profile,
    };
  } finally {
    await Promise.allSettled(children.reverse().map((c) => c.stop()));
    await issuer.stop();
  }
}

interface OverheadRecord {
  machine: { measuredAt: string; loadAverage?: number };
  revision?: string;
  result: GatewayOverheadResult;
}

const profileTable = (title: string, before: ProfileSummary | undefined, after: ProfileSummary | undefined, pick: "self" | "total") => {
  const rows = Math.max(before?.[pick].length ?? 0, after?.[pick].length ?? 0);
  const cell = (s: ProfileSummary | undefined, i: number) => {
    const e = s?.[pick][i];
    return e ? `${e.percent} % \`${e.name}\`` : "";
  };
  const lines = [`| ${title} before | ${title} after |`, "|---|---|"];
  for (let i = 0; i < rows; i++) lines.push(`| ${cell(before, i)} | ${cell(after, i)} |`);
  return lines.join("\n");
};

/** What holds the gateway below the targets, read from this run's numbers and profile, and the next steps. */
function boundBy(r: GatewayOverheadResult): string {
  const native = (r.profile?.self ?? [])
    .filter((e) => e.name === "fetch native" || e.name === "(anonymous) native")
    .reduce((sum, e) => sum + e.percent, 0);
  const cpu = r.cpuPerRequestUs;
  const met = r.ratios.gatewayToNginxRps >= 0.6 && (r.ratios.gatewayAddedP50Ms ?? Infinity) <= 0.5;
  if (met) return "Both targets are met in this run.";
  return [
    "**Not met.** What bounds it: the gateway is one CPU-bound process; ",
    `${Math.round(native)} % of its busy samples are Bun's own HTTP work (the \`fetch\` client and the server's native frames), `,
    cpu
      ? `and a bare Bun proxy with no checks at all already costs ${Math.round((cpu.bareBun / cpu.nginx) * 10) / 10}× nginx's CPU per request, `
      : "",
    "so the gateway can reach nginx's throughput on a shared 2-core machine only with less native work per request or more cores. ",
    cpu ? `The gateway's own work is what it spends above the bare proxy: ${cpu.gateway - cpu.bareBun} µs per request. ` : "",
    "What is left of it in the profile is the peer address (`requestIP`, one `getpeername` system call per request, needed for X-Forwarded-For), ",
    "the abort wiring of each call (AbortController and the client-gone listener) and OpenTelemetry's histogram record (the SDK hashes the attributes on every call). ",
    "Next steps: one gateway process per core (`reusePort`) as nginx runs one worker per core (rate-limit counters then need a store shared by the processes), ",
    "and caching the attribute hash in the OpenTelemetry SDK (a patch).",
  ].join("");
}

/** The gateway-overhead section of bench/results/README.md: this run, the run before the work, the profiles. */
export function gatewayOverheadMarkdown(record: OverheadRecord, before?: OverheadRecord): string {
  const r = record.result;
  const b = before?.result;
  const row = (name: string, l: LoadResult | undefined, old: LoadResult | undefined) =>
    `| ${name} | ${l?.requestsPerSecond ?? "—"} | ${l?.p50Ms ?? "—"} | ${l?.p99Ms ?? "—"} | ${old ? `${old.requestsPerSecond} / ${old.p50Ms}` : "—"} |`;
  const ratio = (x: GatewayOverheadResult | undefined) =>
    x
      ? `${x.ratios.gatewayToNginxRps}× nginx req/s, p50 +${x.ratios.gatewayAddedP50Ms ?? Math.round((x.gateway.p50Ms - x.nginx.p50Ms) * 100) / 100} ms over nginx`
      : "—";
  const cpuPerRequest = (x: GatewayOverheadResult | undefined) =>
    x ? `${Math.round((x.gateway.cpuSeconds / x.gateway.requests) * 1e6)} µs` : "—";
  return [
    `${r.seconds}s per target, ${r.connections} connections (wrk, 1 thread), targets measured in ${r.rounds ?? 1} alternating round(s) in one run, best round kept. Targets (issue 15): ≥ 0.6× nginx req/s, p50 added ≤ 0.5 ms.`,
    "",
    "| path | req/s | p50 ms | p99 ms | before: req/s / p50 ms |",
    "|---|---|---|---|---|",
    row("direct", r.direct, b?.direct),
    row("nginx (plain reverse proxy)", r.nginx, b?.nginx),
    row("bare Bun proxy (Bun.serve + fetch, no checks)", r.bareBun, b?.bareBun),
    row("gateway (JWT + scopes)", r.gateway, b?.gateway),
    "",
    `Now: ${ratio(r)}; gateway CPU ${cpuPerRequest(r)} per request, RSS ${r.gateway.rssMiB} MiB.`,
    r.cpuPerRequestUs
      ? `CPU per proxied request in the same run (the proxy's own processes): nginx ${r.cpuPerRequestUs.nginx} µs, bare Bun proxy ${r.cpuPerRequestUs.bareBun} µs, gateway ${r.cpuPerRequestUs.gateway} µs — at equal CPU the gateway would serve ${Math.round((r.cpuPerRequestUs.nginx / r.cpuPerRequestUs.gateway) * 100) / 100}× nginx's requests.`
      : "",
    before
      ? `Before (${before.revision ?? "earlier run"}, measured ${before.machine.measuredAt}, load average ${before.machine.loadAverage ?? "?"}): ${ratio(b)}; gateway CPU ${cpuPerRequest(b)} per request.`
      : "",
    "",
    boundBy(r),
    "",
    `CPU profile of the gateway under the same load (\`bun --cpu-prof\`, ${r.profile?.seconds ?? "?"} s; % of busy samples). Self time is where the samples stopped; total time counts a function with everything it called.`,
    "",
    profileTable("self", b?.profile, r.profile, "self"),
    "",
    profileTable("total", b?.profile, r.profile, "total"),
    "",
  ].join("\n");
}

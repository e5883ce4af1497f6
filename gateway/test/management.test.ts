/**
 * The gateway process with MANAGEMENT_PORT (docs/conventions.md › management port): health and metrics are served on
 * that port only, the proxy on the public port only.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { freePort, startServiceProcess, type ServiceProcess } from "@meridian/kit/testing";
import { type Downstream, route, startDownstream } from "./helpers";

setDefaultTimeout(30_000);

let down: Downstream;
let gateway: ServiceProcess;
let management = "";
const routesFile = resolve(tmpdir(), `gateway-management-${process.pid}-${Date.now()}.json`);

beforeAll(async () => {
  down = startDownstream("api");
  await Bun.write(
    routesFile,
    JSON.stringify({ Routes: [route(down, { UpstreamPathTemplate: "/api/{x}", DownstreamPathTemplate: "/{x}" })] }),
  );
  const managementPort = await freePort();
  management = `http://127.0.0.1:${managementPort}`;
  gateway = await startServiceProcess({
    entry: "gateway/src/main.ts",
    env: { GATEWAY_ROUTES: routesFile, MANAGEMENT_PORT: String(managementPort), LOG_LEVEL: "warn" },
    readyPath: "/api/ready", // the public port serves the proxy only
    timeoutMs: 20_000,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await down?.stop();
  await rm(routesFile, { force: true });
});

describe("bun gateway/src/main.ts with MANAGEMENT_PORT", () => {
  test("when MANAGEMENT_PORT is set, then /metrics and /health/* answer there and 404 on the public port", async () => {
    for (const path of ["/health/live", "/health/ready", "/metrics"]) {
      expect((await fetch(`${management}${path}`)).status, path).toBe(200);
      expect((await fetch(`${gateway.url}${path}`)).status, path).toBe(404);
    }
    expect(await (await fetch(`${management}/metrics`)).text()).toContain("http_server_request_duration_seconds");
  });

  test("when MANAGEMENT_PORT is set, then the routes are proxied on the public port only", async () => {
    const res = await fetch(`${gateway.url}/api/hello`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { path: string }).path).toBe("/hello");
    expect((await fetch(`${management}/api/hello`)).status).toBe(404);
  });
});

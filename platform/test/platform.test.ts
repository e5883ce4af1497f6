import { describe, expect, test } from "bun:test";
import { startPlatform } from "../src";

describe("platform harness", () => {
  test("when a process exits while starting, then start fails at once with its last log lines instead of waiting out the ready timeout", async () => {
    const started = Date.now();
    const failure = await startPlatform({
      processes: ["inventory"],
      issuer: "http://127.0.0.1:9/realms/meridian",
      readyTimeoutMs: 120_000,
      envFor: { inventory: { BODY_LIMIT_BYTES: "not-a-number" } },
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    const elapsed = Date.now() - started;
    expect(failure?.message).toContain("inventory exited with 1 while starting");
    expect(failure?.message).toContain("BODY_LIMIT_BYTES");
    expect(elapsed).toBeLessThan(60_000); // well inside the ready timeout, whatever the load
  }, 150_000);

  test("when the platform starts bundled, then each process runs its bundle from its workspace folder, migrations found, and stop removes the bundles", async () => {
    const { readFileSync, readlinkSync, existsSync } = await import("node:fs");
    const { dirname } = await import("node:path");
    const platform = await startPlatform({ processes: ["inventory"], bundled: true, readyTimeoutMs: 120_000 });
    let bundleDir: string;
    try {
      const pid = platform.processes.get("inventory")!.pid!;
      const [, entry] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      expect(entry).toMatch(/meridian-bundles-[^/]+\/inventory\/main\.js$/);
      expect(readlinkSync(`/proc/${pid}/cwd`)).toEndWith("/svc/inventory");
      bundleDir = dirname(dirname(entry!));
      // Ready means migrated: the bundle found svc/inventory/drizzle from its workspace folder.
      expect((await fetch(`${platform.url("inventory")}/health/ready`)).ok).toBe(true);
    } finally {
      await platform.stop();
    }
    expect(existsSync(bundleDir)).toBe(false);
  }, 150_000);
});

describe("route table of a run", () => {
  test("when a process has replicas, then its routes list every replica's port and balance them round robin; others keep one port", async () => {
    const { rewriteRoutes, DESIGN_PORTS } = await import("../src");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/routes-");
    const file = `${dir}/ocelot.json`;
    writeFileSync(
      file,
      JSON.stringify({
        Routes: [
          { UpstreamPathTemplate: "/orders", DownstreamHostAndPorts: [{ Host: "orders", Port: DESIGN_PORTS.orders }] },
          { UpstreamPathTemplate: "/audit", DownstreamHostAndPorts: [{ Host: "audit", Port: DESIGN_PORTS.audit }] },
        ],
      }),
    );
    const table = JSON.parse(rewriteRoutes(file, { orders: [4001, 4002, 4003], audit: 4100 })) as {
      Routes: Array<{ DownstreamHostAndPorts: Array<{ Host: string; Port: number }>; LoadBalancerOptions?: { Type: string } }>;
    };
    expect(table.Routes[0]!.DownstreamHostAndPorts.map((hp) => hp.Port)).toEqual([4001, 4002, 4003]);
    expect(table.Routes[0]!.LoadBalancerOptions?.Type).toBe("RoundRobin");
    expect(table.Routes[1]!.DownstreamHostAndPorts).toEqual([{ Host: "127.0.0.1", Port: 4100 }]);
    expect(table.Routes[1]!.LoadBalancerOptions).toBeUndefined();
  });
});

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

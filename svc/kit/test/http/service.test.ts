import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { Elysia } from "elysia";
import { createLogger, healthCheck, startService, type RunningService, type ServiceConfig } from "../../src";
import { rawRequest } from "../../src/testing/http";

const logger = createLogger({ service: "kit-service-test", version: "0.0.0", level: "silent" });
const LIMIT = 4096;

const config = (extra: Partial<ServiceConfig> = {}): ServiceConfig => ({
  PORT: 0,
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  SHUTDOWN_GRACE_MS: 1000,
  BODY_LIMIT_BYTES: LIMIT,
  ...extra,
});

const echo = new Elysia().post("/echo", ({ body }) => ({ got: body }), {
  body: t.Object({ text: t.String() }),
});

function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new TextEncoder().encode(sent === 0 ? '{"text":"' : "x".repeat(Math.min(1024, bytes - sent)));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

describe("startService: body limit", () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({ name: "kit-413", version: "0.0.0", config: config(), logger, start: () => ({ routes: [echo] }) });
  });
  afterAll(() => service.stop());

  test("when a Content-Length far above the limit is announced, then the answer is the problem+json 413, not Bun's empty one", async () => {
    const answer = await rawRequest(
      service.url,
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9437184\r\n\r\n",
      '{"text":"',
    );
    expect(answer).toStartWith("HTTP/1.1 413");
    expect(answer.toLowerCase()).toContain("content-type: application/problem+json");
    expect(answer).toContain('"status":413');
  });

  test("when a streamed body (no Content-Length) passes the limit, then the answer is the problem+json 413", async () => {
    const res = await fetch(`${service.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamOf(LIMIT * 3),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toContain(`${LIMIT} bytes`);
  });

  test("when a streamed body stays under the limit, then it is parsed and validated like any other", async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text":'));
        controller.enqueue(new TextEncoder().encode('"hello"}'));
        controller.close();
      },
    });
    const res = await fetch(`${service.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { text: "hello" } });
  });
});

describe("startService: management port", () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService({
      name: "kit-mgmt",
      version: "0.0.0",
      config: config({ MANAGEMENT_PORT: 0 }),
      logger,
      start: () => ({ routes: [echo] }),
    });
  });
  afterAll(() => service.stop());

  test("when MANAGEMENT_PORT is set, then /metrics and /health/* answer there and not on the public port", async () => {
    expect(service.managementUrl).not.toBe(service.url);
    for (const path of ["/health/live", "/health/ready", "/metrics"]) {
      expect((await fetch(`${service.managementUrl}${path}`)).status, path).toBe(200);
      expect((await fetch(`${service.url}${path}`)).status, path).toBe(404);
    }
    expect(await (await fetch(`${service.managementUrl}/metrics`)).text()).toContain("process_resident_memory_bytes");
  });

  test("when MANAGEMENT_PORT is set, then the API stays on the public port only", async () => {
    const post = (base: string) =>
      fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"a"}' });
    expect((await post(service.url)).status).toBe(200);
    expect((await post(service.managementUrl)).status).toBe(404);
  });
});

describe("startService: readiness and shutdown order", () => {
  test("when a consumer or relay is down, then readiness is 503 naming it; when it recovers, 200", async () => {
    let consumerUp = true;
    const service = await startService({
      name: "kit-ready",
      version: "0.0.0",
      config: config(),
      logger,
      start: () => ({
        stores: [{ checks: [healthCheck("postgres", async () => {})], close: () => {} }],
        relays: [{ healthCheck: healthCheck("outbox-relay", async () => {}), stop: () => {} }],
        consumers: [
          {
            healthCheck: healthCheck("consumer", async () => {
              if (!consumerUp) throw new Error("channel closed, re-subscribing");
            }),
            stop: () => {},
          },
        ],
      }),
    });
    try {
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
      consumerUp = false;
      const down = await fetch(`${service.url}/health/ready`);
      expect(down.status).toBe(503);
      const report = (await down.json()) as { checks: Array<{ name: string; status: string }> };
      expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual(["postgres:up", "outbox-relay:up", "consumer:down"]);
      consumerUp = true;
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  test("when the service stops, then requests drain first, then onStop, consumers, relays, broker and stores close in that order", async () => {
    const order: string[] = [];
    const check = healthCheck("x", async () => {});
    const slow = new Elysia().get("/slow", async () => {
      await Bun.sleep(300);
      order.push("request finished");
      return { ok: true };
    });
    const service = await startService({
      name: "kit-stop",
      version: "0.0.0",
      config: config(),
      logger,
      start: () => ({
        routes: [slow],
        onStop: () => void order.push("onStop"),
        consumers: [{ healthCheck: check, stop: () => void order.push("consumer") }],
        relays: [{ healthCheck: check, stop: () => void order.push("relay") }],
        broker: { healthCheck: check, close: () => void order.push("broker") },
        stores: [{ checks: [check], close: () => void order.push("store") }],
      }),
    });
    const inFlight = fetch(`${service.url}/slow`);
    await Bun.sleep(50);
    await service.stop();
    expect((await inFlight).status).toBe(200);
    expect(order).toEqual(["request finished", "onStop", "consumer", "relay", "broker", "store"]);
  });
});

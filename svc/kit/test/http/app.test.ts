import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { t } from "elysia";
import { waitFor } from "../../src/testing";
import {
  baseConfig,
  createHttpApp,
  strictJson,
  createLogger,
  loadConfig,
  postgresCheck,
  problems,
  serve,
  serveOptions,
  type ProblemDetails,
  type ReadinessReport,
  type RunningServer,
} from "../../src/index";

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  service: "kit-test",
  version: "0.0.0",
  level: "info",
  destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
});

let pgTarget = "postgres://postgres@127.0.0.1:1/postgres"; // a closed port
const app = createHttpApp({
  service: "kit-test",
  version: "0.0.0",
  logger,
  checks: [{ name: "postgres", check: () => postgresCheck("postgres", pgTarget).check() }],
  bodyLimitBytes: 4096,
})
  .get("/boom", () => {
    throw new Error("db password is hunter2");
  })
  .get("/missing", () => {
    throw problems.notFound("widget 42 does not exist");
  })
  .get("/paged", ({ query }) => query, {
    query: t.Object({ page: t.Optional(t.Numeric({ minimum: 1 })), pageSize: t.Optional(t.Numeric({ maximum: 100 })) }),
  })
  .post("/options", ({ body }) => ({ options: body ?? "none" }), {
    parse: strictJson,
    body: t.Optional(t.Object({ streamId: t.Optional(t.String()) })),
  })
  .post(
    "/items",
    ({ body, log }) => {
      log.info({ name: body.name }, "creating item");
      return { created: body.name };
    },
    { body: t.Object({ name: t.String({ minLength: 1 }), quantity: t.Integer({ minimum: 1 }) }) },
  );

let server: RunningServer;
beforeAll(async () => {
  server = await serve(app, { port: 0, logger, handleSignals: false });
});
afterAll(() => server.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("kit HTTP app", () => {
  test("when a route throws, then it answers problem+json 500 without internals", async () => {
    const res = await fetch(`${server.url}/boom`);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("at ");
    const problem = JSON.parse(text) as ProblemDetails;
    expect(problem).toMatchObject({ type: "https://meridian.dev/problems/internal", status: 500, instance: "/boom" });
    expect(problem.traceId).toMatch(/^[0-9a-f]{32}$/);
    const logged = lines.find((l) => l.msg === "unhandled error");
    expect(JSON.stringify(logged)).toContain("hunter2"); // the stack stays in the logs
  });

  test("when the body breaks the schema, then it answers 400 naming each failed field", async () => {
    const res = await post("/items", { name: "", quantity: "many" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as ProblemDetails;
    expect(problem.type).toBe("https://meridian.dev/problems/validation");
    const fields = (problem.errors ?? []).map((e) => e.field);
    expect(fields).toContain("name");
    expect(fields).toContain("quantity");
  });

  test("when a numeric query value is out of range, then the 400 names that query parameter", async () => {
    for (const [query, field] of [
      ["page=0&pageSize=10", "query.page"],
      ["page=2&pageSize=1000", "query.pageSize"],
      ["page=abc", "query.page"],
    ]) {
      const res = await fetch(`${server.url}/paged?${query}`);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as ProblemDetails;
      expect(problem.errors?.map((e) => e.field)).toEqual([field!]);
    }
  });

  test("when a string carries NUL or an unpaired surrogate, then 400 names the field and the handler never runs", async () => {
    const cases: Array<[Response, string]> = [
      [await fetch(`${server.url}/paged?page=1&note=a%00b`), "query.note"],
      [await post("/items", { name: "lamp\u0000", quantity: 1 }), "name"],
      [await post("/items", { name: "lamp\ud800", quantity: 1 }), "name"],
      [await post("/items", { name: "ok", quantity: 1, tags: ["fine", "bad\udc00"] }), "tags[1]"],
    ];
    for (const [res, field] of cases) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemDetails).errors?.[0]?.field).toBe(field);
    }
    // A well-formed pair (an emoji) is fine.
    expect((await post("/items", { name: "lamp \ud83d\udca1", quantity: 1 })).status).toBe(200);
  });

  test("when the body is not a JSON object, then 400 or 415 problem+json", async () => {
    for (const body of ["[1,2]", "null", '"text"']) {
      const res = await fetch(`${server.url}/items`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemDetails).errors?.[0]?.field).toBe("body");
    }
    const xml = await fetch(`${server.url}/items`, { method: "POST", headers: { "content-type": "application/xml" }, body: "<item/>" });
    expect(xml.status).toBe(415);
    expect(xml.headers.get("content-type")).toBe("application/problem+json");
  });

  test("when a route reads JSON strictly, then invalid UTF-8 and malformed JSON are 400 even for an optional body", async () => {
    const send = (body?: string | Uint8Array, type = "application/json") =>
      fetch(`${server.url}/options`, { method: "POST", headers: body === undefined ? {} : { "content-type": type }, body });
    expect((await send(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).status).toBe(400);
    expect((await send("{not json")).status).toBe(400);
    expect(await (await send()).json()).toEqual({ options: "none" });
    expect(await (await send('{"streamId":"order-1"}')).json()).toEqual({ options: { streamId: "order-1" } });
  });

  test("when JSON nests deeper than the limit, then 400 instead of a stack overflow", async () => {
    const deep = "[".repeat(2000) + "]".repeat(2000);
    const res = await fetch(`${server.url}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"name":"x","quantity":1,"extra":${deep}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ProblemDetails).errors?.[0]?.message).toContain("deeper");
  });

  test("when a domain error is thrown, then its status and detail are kept", async () => {
    const res = await fetch(`${server.url}/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, detail: "widget 42 does not exist", title: "Not found" });
  });

  test("when no route matches, then it answers 404 problem+json", async () => {
    const res = await fetch(`${server.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("when the body exceeds the limit, then it answers 413 problem+json", async () => {
    const res = await post("/items", { name: "x".repeat(10_000), quantity: 1 });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("when requests are served, then the /metrics request counter increases", async () => {
    const count = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("http_server_request_duration_seconds_count{") &&
            l.includes('http_route="/items"') &&
            l.includes('http_response_status_code="200"'),
        );
      return line ? Number(line.split(" ").at(-1)) : 0;
    };
    const before = await count();
    await post("/items", { name: "a", quantity: 1 });
    await post("/items", { name: "b", quantity: 2 });
    expect(await count()).toBe(before + 2);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain("process_resident_memory_bytes");
    // The service label names the process's first app (telemetry is process-wide; test files share a process).
    expect(text).toMatch(/process_resident_memory_bytes\{service="[^"]+"\}/);
  });

  test("when a request carries traceparent, then the log lines inside it carry the same trace id as the response", async () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await post("/items", { name: "traced", quantity: 1 }, { traceparent: incoming });
    expect(res.status).toBe(200);
    const traceparent = res.headers.get("traceparent");
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const traceId = traceparent!.split("-")[1];
    expect(traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const inside = lines.find((l) => l.msg === "creating item" && l.name === "traced");
    expect(inside?.trace_id).toBe(traceId);
    expect(inside?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  test("when a request has no traceparent, then the response starts a trace that the request log carries", async () => {
    const res = await post("/items", { name: "fresh", quantity: 1 });
    const traceId = res.headers.get("traceparent")!.split("-")[1];
    // The request line is written after the response has been sent.
    const requestLine = await waitFor(() => lines.find((l) => l.msg === "request" && l.trace_id === traceId));
    expect(requestLine).toMatchObject({ method: "POST", route: "/items", status: 200 });
  });

  test("when the declared PostgreSQL is unreachable, then ready is 503, and 200 once it answers", async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    pgTarget = "postgres://postgres@127.0.0.1:1/postgres";
    const down = await fetch(`${server.url}/health/ready`);
    expect(down.status).toBe(503);
    const downBody = (await down.json()) as ReadinessReport;
    expect(downBody.checks[0]).toMatchObject({ name: "postgres", status: "down" });
    expect(typeof downBody.checks[0]!.latencyMs).toBe("number");
    pgTarget = "postgres://postgres@127.0.0.1:5432/postgres";
    const up = await fetch(`${server.url}/health/ready`);
    expect(up.status).toBe(200);
    expect(((await up.json()) as ReadinessReport).checks[0]).toMatchObject({ name: "postgres", status: "up" });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/health_dependency_up\{dependency="postgres",service="[^"]+"\} 1/);
  });

  test("when OpenAPI is requested, then the routes are documented", async () => {
    const doc = (await (await fetch(`${server.url}/openapi/json`)).json()) as {
      paths: Record<string, { post: { requestBody?: unknown } }>;
    };
    expect(Object.keys(doc.paths)).toContain("/items");
    expect(doc.paths["/items"]!.post.requestBody).toBeDefined();
  });
});

describe("serveOptions", () => {
  test("when a server is started with the base config's options, then it listens on HOST and answers over its body limit with 413", async () => {
    const config = loadConfig(t.Object(baseConfig({ port: 0 })), {
      exit: false,
      env: { PORT: "0", HOST: "127.0.0.1", BODY_LIMIT_BYTES: "2048", SHUTDOWN_GRACE_MS: "1000" },
    });
    expect(serveOptions(config)).toEqual({ port: 0, host: "127.0.0.1", shutdownGraceMs: 1000 });
    const small = createHttpApp({ service: "kit-test", version: "0.0.0", logger, bodyLimitBytes: config.BODY_LIMIT_BYTES }).post(
      "/echo",
      ({ body }) => body,
    );
    const running = await serve(small, { ...serveOptions(config), logger, handleSignals: false });
    try {
      expect(running.url).toStartWith("http://127.0.0.1:");
      const res = await fetch(`${running.url}/echo`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(4096) });
      expect(res.status).toBe(413);
    } finally {
      await running.stop();
    }
  });
});

/**
 * The body limit at the gateway (BODY_LIMIT_BYTES, default 1 MiB): every oversize body is answered with the
 * documented problem+json 413 (docs/errors.md), announced or streamed, and never reaches the downstream.
 */
import { describe, expect, test } from "bun:test";
import { route, startDownstream, startGateway } from "./helpers";
import { rawRequest } from "@meridian/kit/testing";

const LIMIT = 1_048_576;

/** A chunked body of `bytes` bytes, 64 KiB per chunk. */
function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(65_536).fill(120);
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const next = chunk.subarray(0, Math.min(chunk.byteLength, bytes - sent));
      sent += next.byteLength;
      controller.enqueue(next);
    },
  });
}

describe("body limit [Meridian: BODY_LIMIT_BYTES, docs/errors.md › 413]", () => {
  test("when a Content-Length above the limit and Bun's 8 MiB is announced, then 413 problem+json and nothing reaches the downstream", async () => {
    await using down = startDownstream("big");
    await using gw = await startGateway({ Routes: [route(down, { UpstreamPathTemplate: "/b", DownstreamPathTemplate: "/b" })] });
    const answer = await rawRequest(gw.url, "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 9437184\r\n\r\n", "x".repeat(1024));
    expect(answer).toStartWith("HTTP/1.1 413");
    expect(answer.toLowerCase()).toContain("content-type: application/problem+json");
    expect(answer).toContain('"status":413');
    expect(down.received).toHaveLength(0);
  });

  test("when a streamed body (no Content-Length) passes the limit, then 413 problem+json and the downstream gets no complete body", async () => {
    await using down = startDownstream("big");
    await using gw = await startGateway({ Routes: [route(down, { UpstreamPathTemplate: "/b", DownstreamPathTemplate: "/b" })] });
    const res = await fetch(`${gw.url}/b`, { method: "POST", body: streamOf(LIMIT * 3), duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toContain(`${LIMIT} bytes`);
    expect(down.received.filter((r) => r.body.length > LIMIT)).toHaveLength(0);
  });

  test("when a streamed body stays under the limit, then the downstream gets all of it", async () => {
    await using down = startDownstream("big");
    await using gw = await startGateway({ Routes: [route(down, { UpstreamPathTemplate: "/b", DownstreamPathTemplate: "/b" })] });
    const res = await fetch(`${gw.url}/b`, { method: "POST", body: streamOf(LIMIT - 10), duplex: "half" } as RequestInit);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { body: string }).body).toHaveLength(LIMIT - 10);
  });
});

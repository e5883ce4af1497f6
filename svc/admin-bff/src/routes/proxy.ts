/**
 * /api/* → the gateway, with the session's access token as Bearer. The browser never sees the token;
 * cookies and the CSRF header stay here. No retries (the mesh and the gateway own those).
 */
import { Elysia } from "elysia";
import { context, propagation } from "@opentelemetry/api";
import { problems, type Logger } from "@meridian/kit";
import type { Guard } from "../guard";

/** Request headers worth passing on; everything else (cookies above all) stays at the BFF. */
const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "idempotency-key",
  "last-event-id",
];
/** Hop-by-hop or rewritten by fetch (bodies arrive decoded), or never for the browser (set-cookie). */
const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-encoding",
  "content-length",
  "set-cookie",
  "www-authenticate",
]);

export interface ProxyDeps {
  guard: Guard;
  gatewayUrl: string;
  logger: Logger;
}

export function proxyRoutes(deps: ProxyDeps) {
  const gateway = new URL(deps.gatewayUrl);
  const basePath = gateway.pathname.replace(/\/+$/, "");

  return new Elysia({ name: "bff-proxy" }).all(
    "/api/*",
    async ({ request }) => {
      const active = await deps.guard.require(request);
      deps.guard.checkCsrf(request, active.session);
      const session = await deps.guard.refreshed(active);

      const incoming = new URL(request.url);
      const target = new URL(gateway);
      target.pathname = `${basePath}${incoming.pathname.slice("/api".length) || "/"}`;
      target.search = incoming.search;

      const headers = new Headers();
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers.get(name);
        if (value !== null) headers.set(name, value);
      }
      headers.set("authorization", `Bearer ${session.accessToken}`);
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      for (const [k, v] of Object.entries(carrier)) headers.set(k, v);

      const hasBody = request.method !== "GET" && request.method !== "HEAD";
      let upstream: Response;
      try {
        upstream = await fetch(target, {
          method: request.method,
          headers,
          body: hasBody ? await request.arrayBuffer() : undefined,
          redirect: "manual",
        });
      } catch (err) {
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err), target: target.origin }, "gateway unreachable");
        throw problems.badGateway("The API gateway cannot be reached.");
      }
      const out = new Headers();
      upstream.headers.forEach((value, name) => {
        if (!DROPPED_RESPONSE_HEADERS.has(name)) out.set(name, value);
      });
      return new Response(upstream.body, { status: upstream.status, headers: out });
    },
    { parse: "none", detail: { summary: "Proxy to the API gateway with the session's bearer token" } },
  );
}

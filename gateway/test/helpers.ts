/**
 * Real loopback servers for gateway tests: echoing downstream services and an in-process gateway. Both are
 * async-disposable: `await using gw = await startGateway(...)` stops the gateway when the test's scope ends.
 */
import { afterAll } from "bun:test";
import { createHttpApp, createLogger, serve, type RunningServer } from "@meridian/kit";
import { createTokenVerifier } from "@meridian/kit/auth";
import { resolveConfiguration } from "../src/config";
import { createGateway, gatewayListener } from "../src/gateway";

export interface Echo {
  server: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

export interface Downstream extends AsyncDisposable {
  name: string;
  port: number;
  url: string;
  /** Requests received, in order. */
  received: Echo[];
  /** Requests being handled right now. */
  inFlight: number;
  /** Change behaviour at run time. */
  behaviour: { status: number; delayMs: number };
  stop(): Promise<void>;
}

/**
 * A downstream service that answers every request with a JSON echo of what it received. Paths beginning with
 * /status/<code> answer that code; /slow/<ms> waits before answering; /sse streams two events; /redirect answers
 * 302 to this server's /elsewhere.
 */
export function startDownstream(name: string): Downstream {
  const received: Echo[] = [];
  const state = { inFlight: 0 };
  const behaviour = { status: 200, delayMs: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    // No idle timeout: some tests hold a request longer than Bun's default 10 s (e.g. /slow/11500), and Bun
    // enforces that timeout coarsely (it can fire after ~9 s), which would close the connection under the
    // gateway and turn the test's expected answer into a 502. The timeouts under test are the gateway's.
    idleTimeout: 0,
    async fetch(req): Promise<Response> {
      state.inFlight += 1;
      try {
        const url = new URL(req.url);
        const headers: Record<string, string> = {};
        req.headers.forEach((v, k) => {
          headers[k] = v;
        });
        const echo: Echo = {
          server: name,
          method: req.method,
          path: url.pathname,
          query: url.search,
          headers,
          body: await req.text(),
        };
        received.push(echo);
        const slow = /\/slow\/(\d+)/.exec(url.pathname);
        const delay = slow ? Number(slow[1]) : behaviour.delayMs;
        if (delay > 0) await Bun.sleep(delay);
        if (url.pathname.endsWith("/redirect")) {
          return new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${server.port}/elsewhere` } });
        }
        if (url.pathname.endsWith("/sse")) {
          return new Response("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n", {
            headers: { "content-type": "text/event-stream" },
          });
        }
        const status = /\/status\/(\d{3})/.exec(url.pathname);
        const code = status ? Number(status[1]) : behaviour.status;
        return Response.json(echo, {
          status: code,
          headers: { "x-downstream": name, connection: "keep-alive", "set-cookie": "a=1" },
        });
      } finally {
        state.inFlight -= 1;
      }
    },
  });
  return {
    name,
    port: server.port as number,
    url: `http://127.0.0.1:${server.port}`,
    received,
    get inFlight() {
      return state.inFlight;
    },
    behaviour,
    async stop() {
      await server.stop(true);
    },
    [Symbol.asyncDispose]: () => server.stop(true),
  };
}

/** Echoing downstreams, one per name, running for the whole test file (stopped after its tests). */
export function downstreamsForFile<Name extends string>(...names: Name[]): Record<Name, Downstream> {
  const started = Object.fromEntries(names.map((name) => [name, startDownstream(name)])) as Record<Name, Downstream>;
  afterAll(async () => {
    for (const name of names) await started[name].stop();
  });
  return started;
}

/** A port nothing listens on (bound, then released). */
export function closedPort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port as number;
  s.stop(true);
  return port;
}

export interface TestGateway extends AsyncDisposable {
  url: string;
  stop(): Promise<void>;
  get(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  request(method: string, path: string, init?: RequestInit & { token?: string }): Promise<Response>;
}

const logger = createLogger({ service: "gateway-test", version: "0", level: "silent" });

/** Starts the gateway in this process on a free port with an Ocelot configuration object. */
export async function startGateway(file: unknown, auth?: { issuer: string; audience?: string; jwksUrl?: string }): Promise<TestGateway> {
  const config = resolveConfiguration(file);
  const verifier = auth ? createTokenVerifier(auth) : undefined;
  const app = createHttpApp({ service: "gateway", version: "0", logger });
  const gateway = createGateway({ config, verifier, logger });
  const server: RunningServer = await serve(gatewayListener(app, gateway.fetch), { port: 0, logger, handleSignals: false });
  const request = (method: string, path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    return fetch(`${server.url}${path}`, { ...init, method, headers });
  };
  return {
    url: server.url,
    stop: () => server.stop(),
    [Symbol.asyncDispose]: () => server.stop(),
    get: (path, init) => request("GET", path, init),
    request,
  };
}

/** One Ocelot route to a downstream, with defaults filled in. */
export function route(downstream: Downstream | number, fields: Record<string, unknown>): Record<string, unknown> {
  const port = typeof downstream === "number" ? downstream : downstream.port;
  return {
    DownstreamScheme: "http",
    DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: port }],
    ...fields,
  };
}

export async function echoOf(res: Response): Promise<Echo> {
  if (res.status >= 400) throw new Error(`expected an echo, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as Echo;
}

/**
 * The downstream call (Ocelot's QoS, load balancer and HttpRequester middlewares): circuit breaker (503 while open),
 * a host from the load balancer, the request with the route's timeout (503), 502 when unreachable, 499 when the
 * client went away; then the answer with the downstream's status, headers and streamed body.
 */
import { oversizeProblemOf, ProblemError, problems, tooLarge, type Logger } from "@meridian/kit";
import type { GatewayRequest } from "../context";
import { TimedCall } from "../deadlines";
import { GatewayError } from "../errors";
import { applyHeaderTransforms, stripHopByHop } from "../headers";
import { SERVER_ERROR_CODES } from "../qos";
import type { DownstreamRequest } from "./downstream-request";

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);
const TIMED_OUT = new Error("downstream timeout");
const CLIENT_GONE = new Error("client closed the request");

/**
 * One downstream call's abort: on the route's timeout (its queue of deadlines) or when the client goes away. An object
 * listener rather than AbortSignal.any or a closure per request (AbortSignal.any cost ~9 µs per request in bench/).
 */
class CallAbort extends TimedCall {
  readonly controller = new AbortController();
  /** Set when a streamed request body passed the body limit on its way downstream. */
  oversize?: ProblemError;
  expire(): void {
    this.controller.abort(TIMED_OUT);
  }
  handleEvent(): void {
    this.controller.abort(CLIENT_GONE);
  }
}

/**
 * A streamed request body (chunked, no Content-Length: the announced ones are refused before routing) counted on its
 * way downstream: at the first byte past the limit the upload fails and the call is answered with the 413 problem.
 */
function boundedBody(body: ReadableStream<Uint8Array>, limit: number, abort: CallAbort): ReadableStream<Uint8Array> {
  let size = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size <= limit) return controller.enqueue(chunk);
      abort.oversize = tooLarge(limit, `The streamed body passed ${limit} bytes`);
      controller.error(abort.oversize);
      abort.controller.abort(abort.oversize);
    },
  });
  return body.pipeThrough(counter);
}

function requestInit(ctx: GatewayRequest, down: DownstreamRequest, abort: CallAbort, bodyLimit: number): RequestInit {
  const method = ctx.rt.route.downstreamMethod ?? ctx.method;
  const { body, headers } = ctx.request;
  const hasBody = method !== "GET" && method !== "HEAD" && body !== null;
  const streamed = hasBody && !headers.has("content-length");
  return {
    method,
    headers: down.headers,
    body: streamed ? boundedBody(body, bodyLimit, abort) : hasBody ? body : undefined,
    redirect: "manual",
    signal: abort.controller.signal,
    decompress: false,
    duplex: "half", // stream the request body through
  } as RequestInit;
}

/** The downstream's Response with the gateway's headers, answered as it is (see below). */
function answer(ctx: GatewayRequest, down: DownstreamRequest, res: Response, baseUrl: string): Response {
  // A new Response around the body would pump the stream through JavaScript, which cost more than the rest of the
  // pipeline (bench/results/README.md); the fetch Response's headers are mutable.
  const headers = stripHopByHop(res.headers);
  for (const name in ctx.responseHeaders) headers.set(name, ctx.responseHeaders[name] as string);
  if (down.vars) applyHeaderTransforms(headers, ctx.rt.route.downstreamHeaderTransform, { ...down.vars, DownstreamBaseUrl: baseUrl });
  if ((ctx.method === "HEAD" || NO_BODY_STATUS.has(res.status)) && res.body !== null)
    return new Response(null, { status: res.status, statusText: res.statusText, headers });
  return res;
}

/** `bodyLimit`: BODY_LIMIT_BYTES, applied here to streamed bodies as they are forwarded. */
export function createForwardStage(logger: Logger, bodyLimit: number) {
  /** The refusal for a call that threw, and the breaker's verdict on it. */
  function failure(ctx: GatewayRequest, abort: CallAbort, target: string, err: unknown): GatewayError {
    const { rt } = ctx;
    const oversize = abort.oversize ?? oversizeProblemOf(err);
    if (oversize) {
      // The client's body, not the downstream, ended the call.
      rt.breaker.cancel();
      return new GatewayError(oversize);
    }
    const timedOut = abort.controller.signal.reason === TIMED_OUT;
    if (!timedOut && ctx.request.signal.aborted) {
      // The client went away: not the downstream's fault (Ocelot ignores OperationCanceledException).
      rt.breaker.cancel();
      return new GatewayError(new ProblemError({ status: 499, slug: "client-closed-request", title: "Client closed request" }));
    }
    rt.breaker.failure();
    const route = rt.route;
    // Ocelot 25.0 answers a timeout with 504 (RequestTimedOutError), which no tier behind retries.
    if (timedOut)
      return new GatewayError(
        problems.gatewayTimeout(`the downstream service of route ${route.id} did not answer within ${route.qos.timeoutMs} ms`),
      );
    logger.warn({ route: route.id, target, err: (err as Error).message }, "downstream unreachable");
    // The answer names the route; the address stays in the log above.
    return new GatewayError(problems.badGateway(`the downstream service of route ${route.id} is unreachable`));
  }

  return async function forward(ctx: GatewayRequest, down: DownstreamRequest): Promise<Response> {
    const { rt, request } = ctx;
    if (!rt.breaker.tryAcquire()) throw new GatewayError(problems.serviceUnavailable(`circuit for ${rt.route.upstream.original} is open`));
    const index = rt.balancer.lease(request.headers);
    const baseUrl = rt.baseUrls[index] as string;
    const abort = new CallAbort();
    rt.deadlines.add(abort);
    // Left on the request past the answer's headers: a client that goes away while the body streams cancels the
    // downstream's body too, and an abort after the answer is complete has nothing left to cancel.
    request.signal.addEventListener("abort", abort);
    let res: Response;
    try {
      res = await fetch(baseUrl + down.pathAndQuery, requestInit(ctx, down, abort, bodyLimit));
    } catch (err) {
      throw failure(ctx, abort, baseUrl + down.pathAndQuery, err);
    } finally {
      rt.deadlines.remove(abort);
      rt.balancer.release(index);
    }
    if (SERVER_ERROR_CODES.has(res.status)) rt.breaker.failure();
    else rt.breaker.success();
    return answer(ctx, down, res, baseUrl);
  };
}

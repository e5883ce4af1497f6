import { Elysia, t } from "elysia";
import { problems } from "@meridian/kit";
import { authPlugin, hasRole, type AuthContext, type TokenVerifier } from "@meridian/kit/auth";
import type { Caller, OrderService } from "../domain/order-service";
import { HOUR_MS, MAX_STATS_RANGE_MS, todayUtc } from "../domain/order-stats";
import {
  IdempotencyHeaders,
  OrderIdParams,
  OrderPageSchema,
  OrderSchema,
  OrderStatsSchema,
  Paging,
  PlaceOrderSchema,
  StatusSchema,
} from "./schemas";

const security = [{ bearer: [] }];

function claimText(auth: AuthContext, claim: string, maxLength: number): string | undefined {
  const value = auth.claims[claim];
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, maxLength) : undefined;
}

function callerOf(auth: AuthContext): Caller {
  return {
    sub: auth.sub,
    isAdmin: hasRole(auth, "admin"),
    name: claimText(auth, "name", 255) ?? claimText(auth, "preferred_username", 255) ?? auth.sub.slice(0, 255),
    email: claimText(auth, "email", 320) ?? null,
  };
}

/** [from, to) of a stats query: today (UTC) by default; at most MAX_STATS_RANGE_MS wide. */
function statsRange(query: { from?: string; to?: string }): { from: Date; to: Date } {
  const today = todayUtc();
  const from = query.from ? new Date(query.from) : query.to ? new Date(new Date(query.to).getTime() - 24 * HOUR_MS) : today.from;
  const to = query.to ? new Date(query.to) : query.from ? new Date(from.getTime() + 24 * HOUR_MS) : today.to;
  if (from >= to) throw problems.validation([{ field: "query.from", message: "must be before `to`" }]);
  if (to.getTime() - from.getTime() > MAX_STATS_RANGE_MS)
    throw problems.validation([{ field: "query.to", message: "the range may span at most 31 days" }]);
  return { from, to };
}

/** `/api/orders/*` (docs/api.md). Every route needs a bearer token; scopes and roles per route. */
export function orderRoutes({ service, verifier }: { service: OrderService; verifier: TokenVerifier }) {
  return new Elysia({ name: "orders-routes", prefix: "/api/orders" })
    .use(authPlugin(verifier))
    .post(
      "",
      async ({ auth, body, headers, set }) => {
        const { order, created } = await service.place(callerOf(auth), headers["idempotency-key"], body.lines);
        set.status = created ? 201 : 200;
        return order;
      },
      {
        scopes: ["orders.write"],
        headers: IdempotencyHeaders,
        body: PlaceOrderSchema,
        response: { 200: OrderSchema, 201: OrderSchema },
        detail: {
          summary: "Place an order (201; 200 with the same order when the Idempotency-Key was seen before)",
          tags: ["orders"],
          security,
        },
      },
    )
    .get(
      "/mine",
      ({ auth, query }) => {
        return service.list({ customerId: auth.sub }, query.page, query.pageSize);
      },
      {
        scopes: ["orders.read"],
        query: t.Object({ ...Paging }),
        response: { 200: OrderPageSchema },
        detail: { summary: "The caller's orders, newest first", tags: ["orders"], security },
      },
    )
    .get(
      "",
      ({ query }) => {
        const from = query.from ? new Date(query.from) : undefined;
        const to = query.to ? new Date(query.to) : undefined;
        if (from && to && from > to) throw problems.validation([{ field: "query.from", message: "must not be after `to`" }]);
        return service.list(
          {
            ...(query.status ? { status: query.status } : {}),
            ...(query.customerId ? { customerId: query.customerId } : {}),
            ...(query.q ? { q: query.q } : {}),
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
          },
          query.page,
          query.pageSize,
        );
      },
      {
        scopes: ["orders.read"],
        roles: ["admin"],
        query: t.Object({
          status: t.Optional(StatusSchema),
          from: t.Optional(t.String({ format: "date-time", description: "created at or after" })),
          to: t.Optional(t.String({ format: "date-time", description: "created at or before" })),
          customerId: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
          q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "part of the customer's name, email or id" })),
          ...Paging,
        }),
        response: { 200: OrderPageSchema },
        detail: { summary: "Search all orders (admin), newest first", tags: ["orders"], security },
      },
    )
    .get(
      "/stats",
      ({ query }) => {
        const { from, to } = statsRange(query);
        return service.stats(from, to);
      },
      {
        scopes: ["orders.read"],
        roles: ["admin"],
        query: t.Object({
          from: t.Optional(t.String({ format: "date-time", description: "created at or after (default: today 00:00 UTC)" })),
          to: t.Optional(t.String({ format: "date-time", description: "created before (default: from + 24 h)" })),
        }),
        response: { 200: OrderStatsSchema },
        detail: { summary: "Dashboard figures of the orders created in [from, to) (admin)", tags: ["orders"], security },
      },
    )
    .get("/:id", ({ auth, params }) => service.get(callerOf(auth), params.id), {
      scopes: ["orders.read"],
      params: OrderIdParams,
      response: { 200: OrderSchema },
      detail: { summary: "One order (owner or admin)", tags: ["orders"], security },
    })
    .post("/:id/cancel", ({ auth, params }) => service.cancel(callerOf(auth), params.id), {
      scopes: ["orders.write"],
      params: OrderIdParams,
      response: { 200: OrderSchema },
      detail: { summary: "Cancel an order that has not shipped (owner or admin); 409 otherwise", tags: ["orders"], security },
    })
    .post("/:id/ship", ({ params }) => service.ship(params.id), {
      scopes: ["orders.write"],
      roles: ["admin"],
      params: OrderIdParams,
      response: { 200: OrderSchema },
      detail: { summary: "Ship a confirmed order (admin); 409 unless confirmed", tags: ["orders"], security },
    });
}

import { Elysia, t } from "elysia";
import { problems } from "@meridian/kit";
import { authPlugin, hasRole, type AuthContext, type TokenVerifier } from "@meridian/kit/auth";
import type { Caller, OrderService } from "../domain/order-service";
import {
  IdempotencyHeaders,
  OrderIdParams,
  OrderPageSchema,
  OrderSchema,
  Paging,
  PlaceOrderSchema,
  StatusSchema,
} from "./schemas";

const security = [{ bearer: [] }];

function callerOf(auth: AuthContext): Caller {
  return { sub: auth.sub, isAdmin: hasRole(auth, "admin") };
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
    .get("/mine", ({ auth, query }) => {
      return service.list({ customerId: auth.sub }, query.page, query.pageSize);
    }, {
      scopes: ["orders.read"],
      query: t.Object({ ...Paging }),
      response: { 200: OrderPageSchema },
      detail: { summary: "The caller's orders, newest first", tags: ["orders"], security },
    })
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
          ...Paging,
        }),
        response: { 200: OrderPageSchema },
        detail: { summary: "Search all orders (admin), newest first", tags: ["orders"], security },
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

import { Elysia, t } from "elysia";
import { problems } from "@meridian/kit";
import { authPlugin, type TokenVerifier } from "@meridian/kit/auth";
import type { InventoryStore } from "../store";
import { AdjustmentSchema, pageOf, Paging, ProductInputSchema, ProductSchema, ReservationSchema, SkuParams } from "./schemas";

export interface InventoryRoutesOptions {
  store: InventoryStore;
  verifier: TokenVerifier;
}

const security = [{ bearer: [] }];

/** `/api/inventory/*` (docs/api.md): every route needs a token; writes need inventory.write and the admin role. */
export function inventoryRoutes({ store, verifier }: InventoryRoutesOptions) {
  return new Elysia({ name: "inventory-routes", prefix: "/api/inventory" })
    .use(authPlugin(verifier))
    .get(
      "/products",
      ({ query }) => {
        return store.listProducts({ q: query.q, lowStock: query.lowStock }, query.page, query.pageSize);
      },
      {
        scopes: ["inventory.read"],
        query: t.Object({
          q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "matches name or sku" })),
          lowStock: t.Optional(t.Boolean({ description: "only products at or below their low-stock threshold" })),
          ...Paging,
        }),
        response: { 200: pageOf(ProductSchema) },
        detail: { summary: "List and search products", tags: ["products"], security },
      },
    )
    .get(
      "/products/:sku",
      async ({ params }) => {
        const product = await store.getProduct(params.sku);
        if (!product) throw problems.notFound(`product ${params.sku} does not exist`);
        return product;
      },
      {
        scopes: ["inventory.read"],
        params: SkuParams,
        response: { 200: ProductSchema },
        detail: { summary: "Get one product", tags: ["products"], security },
      },
    )
    .put(
      "/products/:sku",
      async ({ params, body, set }) => {
        // multipleOf 0.01 fails on binary floats (12.5 / 0.01 ≠ 1250 exactly), so cents are checked here.
        if (Math.abs(body.price * 100 - Math.round(body.price * 100)) > 1e-6)
          throw problems.validation([{ field: "price", message: "must have at most 2 decimals" }]);
        const { product, created } = await store.upsertProduct(params.sku, body);
        set.status = created ? 201 : 200;
        return product;
      },
      {
        scopes: ["inventory.write"],
        roles: ["admin"],
        params: SkuParams,
        body: ProductInputSchema,
        response: { 200: ProductSchema, 201: ProductSchema },
        detail: { summary: "Create or update a product (catalogue data, not stock)", tags: ["products"], security },
      },
    )
    .post(
      "/products/:sku/adjustments",
      async ({ params, body, auth }) => {
        if (body.delta === 0) throw problems.validation([{ field: "delta", message: "must not be 0" }]);
        const result = await store.adjustStock(params.sku, body.delta, body.reason, auth.sub);
        if (result.outcome === "not-found") throw problems.notFound(`product ${params.sku} does not exist`);
        if (result.outcome === "below-reserved")
          throw problems.conflict(`on hand would become ${result.onHand + body.delta}, below the ${result.reserved} units reserved`);
        return result.product;
      },
      {
        scopes: ["inventory.write"],
        roles: ["admin"],
        params: SkuParams,
        body: AdjustmentSchema,
        response: { 200: ProductSchema },
        detail: { summary: "Adjust on-hand stock", tags: ["products"], security },
      },
    )
    .get(
      "/reservations",
      ({ query }) => {
        return store.listReservations({ orderId: query.orderId, status: query.status }, query.page, query.pageSize);
      },
      {
        scopes: ["inventory.read"],
        roles: ["admin"],
        query: t.Object({
          orderId: t.Optional(t.String({ format: "uuid" })),
          status: t.Optional(t.Union([t.Literal("reserved"), t.Literal("released"), t.Literal("fulfilled")])),
          ...Paging,
        }),
        response: { 200: pageOf(ReservationSchema) },
        detail: { summary: "List reservations", tags: ["reservations"], security },
      },
    );
}

import { Elysia } from "elysia";
import { problems } from "@meridian/kit";
import type { CatalogueReader } from "../store/catalogue";
import { CatalogueFacetsSchema, CatalogueItemSchema, CatalogueQuerySchema, pageOf, SkuParams } from "./schemas";

/**
 * `/api/catalogue/*` (docs/api.md): the shop's public, read-only view of products. Deliberately registered without
 * the auth plugin (anyone may browse); it exposes no stock counts beyond "only N left" and no write.
 */
export function catalogueRoutes(catalogue: CatalogueReader) {
  return new Elysia({ name: "catalogue-routes", prefix: "/api/catalogue" })
    .get("", ({ query }) => catalogue.list({ ...query, sort: query.sort ?? "name" }), {
      query: CatalogueQuerySchema,
      response: { 200: pageOf(CatalogueItemSchema) },
      detail: { summary: "Browse and search the catalogue (public)", tags: ["catalogue"], security: [] },
    })
    .get("/facets", () => catalogue.facets(), {
      response: { 200: CatalogueFacetsSchema },
      detail: { summary: "Categories and brands with product counts (public)", tags: ["catalogue"], security: [] },
    })
    .get(
      "/items/:sku",
      async ({ params }) => {
        const item = await catalogue.item(params.sku);
        if (!item) throw problems.notFound(`product ${params.sku} does not exist`);
        return item;
      },
      {
        params: SkuParams,
        response: { 200: CatalogueItemSchema },
        detail: { summary: "One catalogue item (public)", tags: ["catalogue"], security: [] },
      },
    );
}

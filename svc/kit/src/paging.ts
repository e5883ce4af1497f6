/**
 * Paging query of list endpoints (docs/api.md): `page` 1-based, `pageSize` 1..100. The bounds live in the
 * schema (so OpenAPI shows them); the app factory names the query parameter when a bound is broken.
 */
import { t } from "elysia";

export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE = 1_000_000;

export const PagingQuery = {
  page: t.Integer({ default: 1, minimum: 1, maximum: MAX_PAGE, description: "1-based page number" }),
  pageSize: t.Integer({ default: 20, minimum: 1, maximum: MAX_PAGE_SIZE, description: `items per page, 1..${MAX_PAGE_SIZE}` }),
};

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

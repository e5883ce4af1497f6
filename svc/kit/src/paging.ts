/**
 * Paging query of list endpoints (docs/api.md): `page` 1-based, `pageSize` 1..100.
 * The bounds are checked here rather than as schema minimum/maximum: Elysia reports a bound broken by a coerced
 * query number without the property's name, and a 400 must name the field (`query.pageSize`).
 */
import { t } from "elysia";
import { problems, type FieldError } from "./errors";

export const MAX_PAGE_SIZE = 100;

export const PagingQuery = {
  page: t.Integer({ default: 1, description: "1-based page number" }),
  pageSize: t.Integer({ default: 20, description: `items per page, 1..${MAX_PAGE_SIZE}` }),
};

export function assertPaging(query: { page: number; pageSize: number }): void {
  const errors: FieldError[] = [];
  if (query.page < 1 || query.page > 1_000_000) errors.push({ field: "query.page", message: "must be between 1 and 1000000" });
  if (query.pageSize < 1 || query.pageSize > MAX_PAGE_SIZE)
    errors.push({ field: "query.pageSize", message: `must be between 1 and ${MAX_PAGE_SIZE}` });
  if (errors.length) throw problems.validation(errors);
}

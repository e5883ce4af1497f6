/** HTTP API of the audit service (docs/api.md, "Audit"): admins holding `audit.read` only. */
import { Elysia, t } from "elysia";
import { PagingQuery, problems, strictJson } from "@meridian/kit";
import { authPlugin, type TokenVerifier } from "@meridian/kit/auth";
import { auditEntities } from "../domain/audit";
import { StreamNotFoundError, type AuditStore } from "../store/audit-store";

export interface AuditRoutesDeps {
  store: AuditStore;
  verifier: TokenVerifier;
}

const StreamIdSchema = t.String({ pattern: "^[a-z]+-[A-Za-z0-9._:-]{1,128}$", description: "e.g. order-<uuid>, product-<sku>" });
const EventTypeSchema = t.String({ pattern: "^[a-z0-9-]+\\.[a-z0-9-]+\\.v[0-9]+$", description: "e.g. orders.order-created.v1" });
const Instant = t.String({ format: "date-time", description: "ISO 8601, inclusive" });

const StoredEventSchema = t.Object({
  streamId: t.String(),
  streamPosition: t.Integer(),
  type: t.String(),
  messageId: t.String(),
  occurredAt: t.String(),
  data: t.Record(t.String(), t.Unknown()),
});
const AuditDocumentSchema = t.Object({
  id: t.String(),
  entity: t.UnionEnum(auditEntities),
  entityId: t.String(),
  action: t.String(),
  timestamp: t.String(),
  actor: t.String(),
  payload: t.Record(t.String(), t.Unknown()),
});
const EventPage = t.Object({ items: t.Array(StoredEventSchema), page: t.Integer(), pageSize: t.Integer(), total: t.Integer() });
const DocumentPage = t.Object({ items: t.Array(AuditDocumentSchema), page: t.Integer(), pageSize: t.Integer(), total: t.Integer() });

/** Time bounds as UTC ISO strings (what the store keeps), checked for order. */
function timeRange(query: { from?: string; to?: string }): { from?: string; to?: string } {
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? new Date(query.to).toISOString() : undefined;
  if (from && to && from > to) throw problems.validation([{ field: "query.from", message: "must not be after query.to" }]);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function auditRoutes(deps: AuditRoutesDeps) {
  const { store } = deps;
  return new Elysia({ prefix: "/api/audit", name: "audit-api" })
    .use(authPlugin(deps.verifier))
    .guard({ scopes: ["audit.read"], roles: ["admin"] }, (app) =>
      app
        .get(
          "/events",
          ({ query }) =>
            store.queryEvents({
              page: query.page,
              pageSize: query.pageSize,
              ...(query.streamId ? { streamId: query.streamId } : {}),
              ...(query.type ? { type: query.type } : {}),
              ...timeRange(query),
            }),
          {
            query: t.Object({
              ...PagingQuery,
              streamId: t.Optional(StreamIdSchema),
              type: t.Optional(EventTypeSchema),
              from: t.Optional(Instant),
              to: t.Optional(Instant),
            }),
            response: EventPage,
            detail: { summary: "Recorded events, in the order they were recorded" },
          },
        )
        .get(
          "/documents/:entity",
          ({ params, query }) =>
            store.queryDocuments({
              entity: params.entity,
              page: query.page,
              pageSize: query.pageSize,
              ...(query.entityId ? { entityId: query.entityId } : {}),
              ...(query.action ? { action: query.action } : {}),
              ...timeRange(query),
            }),
          {
            params: t.Object({ entity: t.UnionEnum(auditEntities) }),
            query: t.Object({
              ...PagingQuery,
              entityId: t.Optional(t.String({ minLength: 1, maxLength: 128 })),
              action: t.Optional(EventTypeSchema),
              from: t.Optional(Instant),
              to: t.Optional(Instant),
            }),
            response: DocumentPage,
            detail: { summary: "Audit documents of one entity kind, newest first" },
          },
        )
        .post(
          "/replay",
          async ({ body }) => {
            try {
              return { replayed: await store.replay(body?.streamId) };
            } catch (err) {
              if (err instanceof StreamNotFoundError) throw problems.notFound(err.message);
              throw err;
            }
          },
          {
            // No body (or `{}`) replays everything; a body that is there must be well-formed JSON (an object,
            // by the kit's input rules), not something Elysia would quietly read as "no options".
            parse: strictJson,
            body: t.Optional(t.Object({ streamId: t.Optional(StreamIdSchema) })),
            response: t.Object({ replayed: t.Integer() }),
            detail: { summary: "Rebuild the audit documents from the events (one stream, or all)" },
          },
        ),
    );
}

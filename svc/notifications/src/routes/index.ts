/** HTTP API of the notifications service (docs/api.md, "Notifications"). */
import { randomUUID } from "node:crypto";
import { Elysia, t } from "elysia";
import { MAX_PAGE_SIZE, PagingQuery, problems, type Logger } from "@meridian/kit";
import { authPlugin, type TokenVerifier } from "@meridian/kit/auth";
import type { Broker } from "@meridian/kit/messaging";
import { notificationKinds, type Notification, type Reader } from "../domain/notification";
import type { LiveHub } from "../store/live-hub";
import type { NotificationStore } from "../store/notification-store";

export interface NotificationRoutesDeps {
  store: NotificationStore;
  hub: LiveHub;
  broker: Broker;
  verifier: TokenVerifier;
  logger: Logger;
  /** Interval of SSE keep-alive comments (proxies close idle streams). */
  keepAliveMs?: number;
}

const NotificationSchema = t.Object({
  id: t.String(),
  kind: t.UnionEnum(notificationKinds),
  title: t.String(),
  body: t.String(),
  orderId: t.Optional(t.String()),
  sku: t.Optional(t.String()),
  read: t.Boolean(),
  createdAt: t.String(),
});

const NotificationPage = t.Object({
  items: t.Array(NotificationSchema),
  page: t.Integer(),
  pageSize: t.Integer(),
  total: t.Integer(),
});

const Paging = t.Object(PagingQuery);

const NotificationId = t.Object({ id: t.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" }) });

const readerOf = (auth: { sub: string; roles: string[] }): Reader => ({ sub: auth.sub, roles: auth.roles });

function sseFrame(notification: Notification): string {
  return `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`;
}

export function notificationRoutes(deps: NotificationRoutesDeps) {
  const { store, hub, broker, verifier } = deps;
  const keepAliveMs = deps.keepAliveMs ?? 15_000;

  const api = new Elysia({ prefix: "/api/notifications", name: "notifications-api" })
    .use(authPlugin(verifier))
    .get("", ({ auth, query }) => store.list(readerOf(auth), query.page, query.pageSize), {
      scopes: ["notifications.read"],
      query: Paging,
      response: NotificationPage,
      detail: { summary: "My notifications, newest first" },
    })
    .get("/unread-count", async ({ auth }) => ({ unread: await store.unreadCount(readerOf(auth)) }), {
      scopes: ["notifications.read"],
      response: t.Object({ unread: t.Integer() }),
      detail: { summary: "How many of my notifications are unread" },
    })
    .post(
      "/:id/read",
      async ({ auth, params, set }) => {
        if (!(await store.markRead(readerOf(auth), params.id))) throw problems.notFound(`notification ${params.id} does not exist`);
        set.status = 204;
      },
      { scopes: ["notifications.read"], params: NotificationId, detail: { summary: "Mark one notification read" } },
    )
    .post("/read-all", async ({ auth }) => ({ marked: await store.markAllRead(readerOf(auth)) }), {
      scopes: ["notifications.read"],
      response: t.Object({ marked: t.Integer() }),
      detail: { summary: "Mark all my notifications read" },
    })
    .post(
      "/broadcasts",
      async ({ auth, body, set }) => {
        const id = randomUUID();
        try {
          // The service's own consumer turns the event into the stored notification (on every replica's streams).
          await broker.publish("notifications.broadcast-sent.v1", { id, title: body.title, body: body.body, by: auth.sub });
        } catch (err) {
          deps.logger.error({ err }, "broadcast could not be published");
          throw problems.serviceUnavailable("The broadcast could not be sent; try again.");
        }
        set.status = 202;
        return { id };
      },
      {
        scopes: ["notifications.read"],
        roles: ["admin"],
        body: t.Object({
          title: t.String({ minLength: 1, maxLength: 200 }),
          body: t.String({ minLength: 1, maxLength: 2000 }),
        }),
        response: { 202: t.Object({ id: t.String() }) },
        detail: { summary: "Send a notification to everyone (admin)" },
      },
    )
    .get("/dead-letters", ({ auth, query }) => store.deadLetters(readerOf(auth), query.page, query.pageSize), {
      scopes: ["notifications.read"],
      roles: ["admin"],
      query: Paging,
      response: NotificationPage,
      detail: { summary: "Recent dead-lettered messages (admin)" },
    });

  // The token comes in the Authorization header here too (clients stream over fetch, not EventSource).
  const stream = new Elysia({ prefix: "/api/notifications", name: "notifications-stream" }).use(authPlugin(verifier)).get(
    "/stream",
    ({ auth, request, server, headers }) => {
      const reader = readerOf(auth);
      const lastEventId = headers["last-event-id"];
      // Bun closes connections idle for 10 s by default; this one is meant to stay open.
      server?.timeout(request, 0);
      const encoder = new TextEncoder();
      let close = () => {};
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          let open = true;
          const sent = new Set<string>();
          const send = (text: string) => {
            if (open) controller.enqueue(encoder.encode(text));
          };
          const deliver = (n: Notification) => {
            if (sent.has(n.id)) return;
            sent.add(n.id);
            send(sseFrame(n));
          };
          const unregister = hub.add({ reader, deliver, close: () => close() });
          const keepAlive = setInterval(() => send(": keep-alive\n\n"), keepAliveMs);
          close = () => {
            if (!open) return;
            open = false;
            clearInterval(keepAlive);
            unregister();
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          };
          request.signal.addEventListener("abort", () => close());
          send("retry: 3000\n: connected\n\n");
          // A reconnecting EventSource sends the last id it saw: send what it missed meanwhile (oldest first).
          if (lastEventId) {
            store
              .list(reader, 1, MAX_PAGE_SIZE)
              .then(({ items }) => {
                const seenAt = items.findIndex((n) => n.id === lastEventId);
                if (seenAt > 0) for (const n of items.slice(0, seenAt).reverse()) deliver(n);
              })
              .catch((err: unknown) => deps.logger.warn({ err }, "could not replay missed notifications"));
          }
        },
        cancel() {
          close();
        },
      });
      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
        },
      });
    },
    {
      scopes: ["notifications.read"],
      query: t.Object({ access_token: t.Optional(t.String({ maxLength: 8192 })) }),
      headers: t.Object({ "last-event-id": t.Optional(t.String({ maxLength: 128 })) }),
      detail: {
        summary: "Live notifications (Server-Sent Events, event `notification`)",
        description: "Send `Last-Event-ID` when reconnecting to receive what was missed (up to the newest 100).",
      },
    },
  );

  return new Elysia({ name: "notifications-routes" }).use(api).use(stream);
}

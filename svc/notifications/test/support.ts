/** Test support: an SSE client over fetch, and removal of the broker topology a suite declared. */
import amqp from "amqplib";
import { TEST_RABBITMQ_URL, uniqueName } from "@meridian/kit/testing";
import { queueNames } from "@meridian/kit/messaging";

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseClient {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  close(): void;
}

/** Opens an SSE stream with fetch (as EventSource would) and collects its events until closed. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: SseEvent = { event: "message", data: "" };
            const data: string[] = [];
            for (const line of frame.split("\n")) {
              if (line.startsWith(":") || line === "") continue;
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
              if (field === "event") event.event = value;
              else if (field === "id") event.id = value;
              else if (field === "data") data.push(value);
            }
            if (data.length > 0) {
              event.data = data.join("\n");
              events.push(event);
            }
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return { status: res.status, contentType: res.headers.get("content-type"), events, close: () => controller.abort() };
}

/** Deletes the consumer queues of `services` and the exchange, on a connection of its own. */
export async function removeTopology(services: string[], exchange: string, retries = 3): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL, {
    clientProperties: { connection_name: uniqueName("notifications-test-cleanup") },
  });
  connection.on("error", () => {});
  try {
    for (const service of services) {
      const q = queueNames(service, retries);
      for (const queue of [q.events, ...q.retry, q.error]) {
        const ch = await connection.createChannel();
        ch.on("error", () => {});
        await ch.deleteQueue(queue).catch(() => {});
        await ch.close().catch(() => {});
      }
    }
    const ch = await connection.createChannel();
    ch.on("error", () => {});
    await ch.deleteExchange(exchange).catch(() => {});
    await ch.close().catch(() => {});
  } finally {
    await connection.close().catch(() => {});
  }
}

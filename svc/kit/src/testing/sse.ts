/** An SSE client over fetch (as EventSource reads a stream), for tests of live endpoints. */

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

/**
 * Fan-out of new notifications to the SSE streams open on this replica. One Redis subscriber connection per
 * process listens on the store's channel; each stream registers the reader it serves and gets only what that
 * reader may see.
 */
import type Redis from "ioredis";
import type { Logger } from "@meridian/kit";
import { canSee, type Notification, type Reader } from "../domain/notification";
import type { LiveMessage } from "./notification-store";

export interface LiveListener {
  reader: Reader;
  deliver(notification: Notification): void;
  /** Called when the hub shuts down so the stream can end. */
  close(): void;
}

export class LiveHub {
  private readonly listeners = new Set<LiveListener>();
  private closed = false;

  private constructor(
    private readonly subscriber: Redis,
    private readonly log: Logger,
  ) {}

  static async start(subscriber: Redis, channel: string, log: Logger): Promise<LiveHub> {
    const hub = new LiveHub(subscriber, log);
    subscriber.on("message", (ch: string, payload: string) => {
      if (ch === channel) hub.dispatch(payload);
    });
    await subscriber.subscribe(channel);
    return hub;
  }

  get size(): number {
    return this.listeners.size;
  }

  add(listener: LiveListener): () => void {
    if (this.closed) {
      listener.close();
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(payload: string): void {
    let message: LiveMessage;
    try {
      message = JSON.parse(payload) as LiveMessage;
    } catch (err) {
      this.log.warn({ err }, "ignoring unreadable live notification");
      return;
    }
    for (const listener of this.listeners) {
      if (!canSee(listener.reader, message.audience)) continue;
      try {
        listener.deliver({ ...message.notification, read: false });
      } catch (err) {
        this.log.warn({ err }, "live delivery failed; dropping the stream");
        this.listeners.delete(listener);
        listener.close();
      }
    }
  }

  /** Ends every open stream (so a graceful shutdown is not held up by them) and unsubscribes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.listeners) listener.close();
    this.listeners.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

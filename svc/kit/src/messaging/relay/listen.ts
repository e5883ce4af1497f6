/**
 * The relay's wake-up subscription (LISTEN on PostgreSQL), retried with backoff while it fails (e.g. PostgreSQL
 * restarting): the relay polls meanwhile, so a lost wake-up only costs latency, never a message.
 */
import { errorMessage } from "../broker";
import type { Logger } from "../../logging";
import type { OutboxStore } from "./types";
import { WakeableSleep } from "./wakeable-sleep";

export interface ListenLoop {
  readonly listening: boolean;
  /** Ends the retries and the subscription. */
  stop(): Promise<void>;
}

export function keepListening(store: OutboxStore, onNotify: () => void, log: Logger, maxBackoffMs: number): ListenLoop {
  let listening = false;
  let stopped = false;
  let unlisten: (() => Promise<void>) | null = null;
  const pause = new WakeableSleep();

  async function subscribe(listen: NonNullable<OutboxStore["listen"]>): Promise<void> {
    let delayMs = Math.min(500, maxBackoffMs);
    for (let attempt = 1; !stopped && !listening; attempt++) {
      try {
        const stop = await listen(onNotify, () => {
          listening = true;
        });
        listening = true;
        if (stopped) await stop().catch(() => {});
        else unlisten = stop;
        if (attempt > 1) log.info({ attempts: attempt }, "outbox LISTEN established");
        return;
      } catch (err) {
        if (attempt === 1) log.warn({ err: errorMessage(err) }, "outbox LISTEN failed; polling meanwhile and retrying with backoff");
        await pause.sleep(delayMs);
        delayMs = Math.min(maxBackoffMs, delayMs * 2);
      }
    }
  }

  const loop = store.listen ? subscribe(store.listen.bind(store)) : Promise.resolve();
  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      pause.wakeUp();
      await loop;
      if (unlisten) await unlisten().catch(() => {});
    },
  };
}

import { Injectable, NgZone, inject, signal } from '@angular/core';
import { Observable, share } from 'rxjs';
import { AppNotification } from '@shared/models';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';

export type StreamEvent = { type: 'open' } | { type: 'notification'; notification: AppNotification };

/** Pauses before reopening a stream that the browser gave up on (grows, then stays at the last value). */
export const reconnectDelaysMs = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * The customer's live notifications: Server-Sent Events from GET /notifications/stream. EventSource cannot send
 * headers, so the token goes in the access_token query parameter (docs/api.md). EventSource reconnects by itself
 * after a dropped connection, but gives up for good on an HTTP error (e.g. 401 once the token in its URL has
 * expired): then the stream is reopened here with the current (renewed) token. Each (re)connection emits `open`
 * so pages can refetch what they may have missed.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStream {
  private readonly config = inject(RUNTIME_CONFIG);
  private readonly auth = inject(AuthService);
  private readonly zone = inject(NgZone);
  readonly connected = signal(false);

  readonly events$: Observable<StreamEvent> = new Observable<StreamEvent>((subscriber) => {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let closed = false;

    const open = () => {
      const token = this.auth.accessToken();
      if (!token) {
        // Signed out meanwhile (or the token is being renewed): look again later.
        schedule();
        return;
      }
      const url = `${this.config.apiBase}/notifications/stream?access_token=${encodeURIComponent(token)}`;
      const current = new EventSource(url);
      source = current;
      current.onopen = () =>
        this.zone.run(() => {
          failures = 0;
          this.connected.set(true);
          subscriber.next({ type: 'open' });
        });
      current.onerror = () =>
        this.zone.run(() => {
          this.connected.set(false);
          if (current.readyState === EventSource.CLOSED) {
            current.close();
            schedule();
          }
        });
      current.addEventListener('notification', (event: MessageEvent<string>) => {
        try {
          const notification = JSON.parse(event.data) as AppNotification;
          this.zone.run(() => subscriber.next({ type: 'notification', notification }));
        } catch {
          // A malformed event is dropped; the next refetch on reconnect repairs the view.
        }
      });
    };

    const schedule = () => {
      if (closed) return;
      const delay = reconnectDelaysMs[Math.min(failures, reconnectDelaysMs.length - 1)];
      failures++;
      timer = setTimeout(open, delay);
    };

    open();
    return () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
      this.connected.set(false);
    };
  }).pipe(share());
}

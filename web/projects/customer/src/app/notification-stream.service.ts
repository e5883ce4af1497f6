import { Injectable, NgZone, inject, signal } from '@angular/core';
import { EventSourceMessage, fetchEventSource } from '@microsoft/fetch-event-source';
import { Observable, share } from 'rxjs';
import { AppNotification } from '@shared/models';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';

export type StreamEvent = { type: 'open' } | { type: 'notification'; notification: AppNotification };

/** Pauses before reopening a stream that failed or ended (grows, then stays at the last value). */
export const reconnectDelaysMs = [1_000, 2_000, 5_000, 10_000, 30_000];

/** The server ended the stream (a restart, a proxy timeout): reopen it like any other failure. */
class StreamEnded extends Error {}

/** The answer was not an event stream (401 with an expired token, 5xx, a proxy page): try again later. */
export class StreamRefused extends Error {
  constructor(readonly status: number) {
    super(`the notification stream answered ${status}`);
  }
}

/**
 * The customer's live notifications: Server-Sent Events from GET /notifications/stream, read with
 * @microsoft/fetch-event-source (fetch + ReadableStream) so that the token travels in the Authorization header,
 * never in the URL. The library copies its `headers` once for all retries, so the header is set by the `fetch`
 * given to it instead: each (re)connection sends the current, silently renewed token. A stream that fails or ends
 * is reopened after a growing pause; each (re)connection emits `open` so views can refetch what they missed.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStream {
  private readonly config = inject(RUNTIME_CONFIG);
  private readonly auth = inject(AuthService);
  private readonly zone = inject(NgZone);
  readonly connected = signal(false);

  readonly events$: Observable<StreamEvent> = new Observable<StreamEvent>((subscriber) => {
    const abort = new AbortController();
    let failures = 0;

    const authorizedFetch: typeof fetch = (input, init) => {
      const token = this.auth.accessToken();
      if (!token) return Promise.reject(new StreamRefused(401));
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers, cache: 'no-store' });
    };

    void fetchEventSource(`${this.config.apiBase}/notifications/stream`, {
      signal: abort.signal,
      // Live order updates matter most while the customer looks away; the refetch on `open` covers gaps anyway.
      openWhenHidden: true,
      fetch: authorizedFetch,
      onopen: async (response) => {
        if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
          throw new StreamRefused(response.status);
        }
        failures = 0;
        this.zone.run(() => {
          this.connected.set(true);
          subscriber.next({ type: 'open' });
        });
      },
      onmessage: (message: EventSourceMessage) => {
        if (message.event !== 'notification') return;
        try {
          const notification = JSON.parse(message.data) as AppNotification;
          this.zone.run(() => subscriber.next({ type: 'notification', notification }));
        } catch {
          // A malformed event is dropped; the refetch on the next `open` repairs the view.
        }
      },
      onclose: () => {
        throw new StreamEnded('the notification stream ended');
      },
      onerror: () => {
        this.zone.run(() => this.connected.set(false));
        return reconnectDelaysMs[Math.min(failures++, reconnectDelaysMs.length - 1)];
      },
    });

    return () => {
      abort.abort();
      this.connected.set(false);
    };
  }).pipe(share());
}

import { Injectable, NgZone, inject, signal } from '@angular/core';
import { Observable, share } from 'rxjs';
import { AppNotification } from '@shared/models';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';

export type StreamEvent = { type: 'open' } | { type: 'notification'; notification: AppNotification };

/**
 * The customer's live notifications: Server-Sent Events from GET /notifications/stream. EventSource cannot send
 * headers, so the token goes in the access_token query parameter (docs/api.md). EventSource reconnects by itself;
 * each (re)connection emits `open` so pages can refetch what they may have missed.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStream {
  private readonly config = inject(RUNTIME_CONFIG);
  private readonly auth = inject(AuthService);
  private readonly zone = inject(NgZone);
  readonly connected = signal(false);

  readonly events$: Observable<StreamEvent> = new Observable<StreamEvent>((subscriber) => {
    const token = this.auth.accessToken();
    if (!token) {
      subscriber.complete();
      return;
    }
    const url = `${this.config.apiBase}/notifications/stream?access_token=${encodeURIComponent(token)}`;
    const source = new EventSource(url);
    source.onopen = () =>
      this.zone.run(() => {
        this.connected.set(true);
        subscriber.next({ type: 'open' });
      });
    source.onerror = () => this.zone.run(() => this.connected.set(false));
    source.addEventListener('notification', (event: MessageEvent<string>) => {
      try {
        const notification = JSON.parse(event.data) as AppNotification;
        this.zone.run(() => subscriber.next({ type: 'notification', notification }));
      } catch {
        // A malformed event is dropped; the next refetch on reconnect repairs the view.
      }
    });
    return () => {
      source.close();
      this.connected.set(false);
    };
  }).pipe(share());
}

import { Injectable, effect, inject, signal, untracked } from '@angular/core';
import { Subscription } from 'rxjs';
import { AppNotification } from '@shared/models';
import { AuthService } from '../auth.service';
import { NotificationStream, StreamEvent } from '../notification-stream.service';
import { ShopApi } from '../shop-api.service';

/**
 * The bell's state: the signed-in customer's notifications (order updates and the admins' broadcasts) and how
 * many are unread. Listens to the live stream while signed in; opening the panel marks them all read.
 */
@Injectable({ providedIn: 'root' })
export class NotificationCenter {
  private readonly api = inject(ShopApi);
  private readonly stream = inject(NotificationStream);
  private readonly auth = inject(AuthService);
  private subscription: Subscription | null = null;

  readonly items = signal<AppNotification[]>([]);
  readonly unread = signal(0);
  readonly loading = signal(false);
  readonly error = signal('');
  /** The newest notification that arrived live, for the polite announcement. */
  readonly latest = signal<AppNotification | null>(null);

  constructor() {
    effect(() => {
      const signedIn = this.auth.signedIn();
      untracked(() => (signedIn ? this.start() : this.stop()));
    });
  }

  /** Loads the newest notifications for the panel, then marks them read (the customer has now seen them). */
  open(): void {
    this.loading.set(true);
    this.api.notifications(1, 20).subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.error.set('');
        this.loading.set(false);
        if (page.items.some((n) => !n.read) || this.unread() > 0) this.markAllRead();
      },
      error: () => {
        this.error.set('Your notifications could not be loaded. Try again in a moment.');
        this.loading.set(false);
      },
    });
  }

  private markAllRead(): void {
    this.api.markAllRead().subscribe({
      next: () => this.unread.set(0),
      error: () => undefined,
    });
  }

  private start(): void {
    if (this.subscription) return;
    this.subscription = this.stream.events$.subscribe((event) => this.onEvent(event));
  }

  private stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.items.set([]);
    this.unread.set(0);
  }

  private onEvent(event: StreamEvent): void {
    if (event.type === 'open') {
      this.api.unreadCount().subscribe({ next: ({ unread }) => this.unread.set(unread), error: () => undefined });
      return;
    }
    const n = event.notification;
    if (this.items().some((i) => i.id === n.id)) return;
    this.items.update((items) => [n, ...items].slice(0, 50));
    if (!n.read) this.unread.update((u) => u + 1);
    this.latest.set(n);
  }
}

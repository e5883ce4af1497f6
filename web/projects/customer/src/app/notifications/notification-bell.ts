import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AppNotification } from '@shared/models';
import { NotificationCenter } from './notification-center.service';

/** The service words a rejection with its system reason; the customer reads where to find the plain outcome. */
export function notificationText(n: AppNotification): string {
  if (n.kind === 'order-rejected') return 'We could not reserve everything in your order, so it was not placed and nothing was charged. View the order to see what was short.';
  return n.body;
}

/** The bell in the header: unread count, and a panel with the customer's notifications (read once opened). */
@Component({
  selector: 'app-notification-bell',
  imports: [DatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'close()', '(document:click)': 'closeOutside($event)' },
  template: `
    <button type="button" class="bell" data-testid="bell" [attr.aria-expanded]="expanded()" aria-controls="notification-panel"
      [attr.aria-label]="label()" (click)="toggle()">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>
      @if (center.unread() > 0) { <span class="count" data-testid="unread-count">{{ center.unread() }}</span> }
    </button>
    <p class="sr-only" aria-live="polite">{{ announcement() }}</p>
    @if (expanded()) {
      <section id="notification-panel" class="panel" aria-label="Notifications" data-testid="notification-panel">
        <h2>Notifications</h2>
        @if (center.error()) { <p class="error" role="alert">{{ center.error() }}</p> }
        @if (center.loading() && center.items().length === 0) {
          <p class="loading" role="status">Loading…</p>
        } @else if (center.items().length === 0) {
          <p class="muted">Nothing new. Order updates and news from the shop appear here.</p>
        } @else {
          <ul>
            @for (n of center.items(); track n.id) {
              <li [class.unread]="!n.read" [attr.data-kind]="n.kind">
                <strong>{{ n.title }}</strong>
                @if (bodyOf(n)) { <span>{{ bodyOf(n) }}</span> }
                <span class="muted when">{{ n.createdAt | date: 'medium' }}</span>
                @if (n.orderId) { <a [routerLink]="['/orders', n.orderId]" (click)="close()">View order</a> }
              </li>
            }
          </ul>
        }
      </section>
    }
  `,
})
export class NotificationBell {
  readonly center = inject(NotificationCenter);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  readonly expanded = signal(false);
  readonly label = computed(() => {
    const unread = this.center.unread();
    return unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
  });
  readonly announcement = computed(() => {
    const latest = this.center.latest();
    return latest ? `New notification: ${latest.title}` : '';
  });

  bodyOf(n: AppNotification): string {
    return notificationText(n);
  }

  toggle(): void {
    const next = !this.expanded();
    this.expanded.set(next);
    if (next) this.center.open();
  }

  close(): void {
    this.expanded.set(false);
  }

  closeOutside(event: Event): void {
    if (this.expanded() && !this.host.nativeElement.contains(event.target as Node)) this.close();
  }
}

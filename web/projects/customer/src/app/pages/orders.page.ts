import { CurrencyPipe, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Order, isCancellable, statusLabel } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { NotificationStream } from '../notification-stream.service';
import { ShopApi } from '../shop-api.service';
import { RUNTIME_CONFIG } from '../config';

@Component({
  selector: 'app-orders-page',
  imports: [CurrencyPipe, DatePipe, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>My orders</h1>
    @if (placed()) { <p class="notice" role="status">Thank you! Your order was placed; its status updates here as it changes.</p> }
    <p class="sr-only" aria-live="polite" data-testid="live-announcement">{{ announcement() }}</p>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (loading()) {
      <p class="loading" role="status">Loading your orders…</p>
    } @else if (orders().length === 0 && !error()) {
      <p class="empty">You have no orders yet.</p>
    } @else {
      <table class="responsive" aria-label="My orders">
        <thead><tr><th>Order</th><th>Placed</th><th>Items</th><th class="num">Total</th><th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          @for (order of orders(); track order.id) {
            <tr [attr.data-order-id]="order.id">
              <td data-label="Order"><code>{{ order.id.slice(0, 8) }}</code></td>
              <td data-label="Placed">{{ order.createdAt | date: 'medium' }}</td>
              <td data-label="Items">
                @for (line of order.lines; track line.sku) { <div>{{ line.quantity }} × {{ line.sku }}</div> }
              </td>
              <td data-label="Total" class="num">{{ order.total | currency: currency }}</td>
              <td data-label="Status">
                <mer-status-badge [status]="order.status" />
                @if (order.rejectionReason) { <div class="muted">{{ order.rejectionReason }}</div> }
              </td>
              <td>
                @if (cancellable(order)) {
                  <button type="button" class="secondary" (click)="cancel(order)" [disabled]="busy() === order.id"
                    [attr.aria-label]="'Cancel order ' + order.id.slice(0, 8)">Cancel</button>
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
})
export class OrdersPage implements OnInit {
  private readonly api = inject(ShopApi);
  private readonly stream = inject(NotificationStream);
  private readonly destroyRef = inject(DestroyRef);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  /** Set by the cart after a successful order (router query parameter). */
  readonly placed = input<string | undefined>();

  readonly orders = signal<Order[]>([]);
  readonly loading = signal(true);
  readonly error = signal('');
  readonly busy = signal<string | null>(null);
  readonly announcement = signal('');

  ngOnInit(): void {
    this.refresh();
    this.stream.events$.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((event) => {
      if (event.type === 'open') {
        this.refresh(false);
      } else if (event.notification.orderId) {
        this.refreshOrder(event.notification.orderId);
      }
    });
  }

  cancellable(order: Order): boolean {
    return isCancellable(order.status);
  }

  refresh(showLoading = true): void {
    if (showLoading) this.loading.set(true);
    this.api.myOrders(1, 50).subscribe({
      next: (page) => {
        this.orders.set(page.items);
        this.error.set('');
        this.loading.set(false);
      },
      error: (error: unknown) => {
        this.error.set(problemMessage(error));
        this.loading.set(false);
      },
    });
  }

  cancel(order: Order): void {
    this.busy.set(order.id);
    this.api.cancel(order.id).subscribe({
      next: (updated) => {
        this.replace(updated);
        this.busy.set(null);
      },
      error: (error: unknown) => {
        this.error.set(problemMessage(error));
        this.busy.set(null);
        this.refreshOrder(order.id);
      },
    });
  }

  private refreshOrder(id: string): void {
    this.api.order(id).subscribe({
      next: (order) => this.replace(order),
      error: () => this.refresh(false),
    });
  }

  private replace(order: Order): void {
    const current = this.orders();
    const previous = current.find((o) => o.id === order.id);
    this.orders.set(previous ? current.map((o) => (o.id === order.id ? order : o)) : [order, ...current]);
    if (previous && previous.status !== order.status) {
      this.announcement.set(`Order ${order.id.slice(0, 8)} is now ${statusLabel(order.status).toLowerCase()}.`);
    }
  }
}

import { CurrencyPipe, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { statusLabel } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { ProductImage } from '../catalogue/product-image';
import { RUNTIME_CONFIG } from '../config';
import { NotificationStream } from '../notification-stream.service';
import { lineName, orderOutcome } from '../orders/order-outcome';
import { ShopApi } from '../shop-api.service';
import { ShopOrder } from '../shop-models';

/** The customer's orders, newest first, with live status: each links to its detail page. */
@Component({
  selector: 'app-orders-page',
  imports: [CurrencyPipe, DatePipe, RouterLink, StatusBadge, ProductImage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>My orders</h1>
    <p class="sr-only" aria-live="polite" data-testid="live-announcement">{{ announcement() }}</p>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (loading()) {
      <p class="loading" role="status">Loading your orders…</p>
    } @else if (orders().length === 0 && !error()) {
      <p class="empty">You have no orders yet. <a routerLink="/">Browse the shop</a>.</p>
    } @else {
      <ul class="order-list" aria-label="My orders">
        @for (order of orders(); track order.id) {
          <li class="order-card" [attr.data-order-id]="order.id">
            <div class="head">
              <a [routerLink]="['/orders', order.id]" [attr.aria-label]="'Order ' + order.id.slice(0, 8) + ' of ' + (order.createdAt | date: 'medium')">
                Order <code>{{ order.id.slice(0, 8) }}</code></a>
              <mer-status-badge [status]="order.status" />
            </div>
            <div class="thumbs">
              @for (line of order.lines.slice(0, 3); track line.sku) {
                <app-product-image [src]="image(line.sku)" [name]="name(line)" [width]="64" />
              }
              <span>{{ summary(order) }}</span>
            </div>
            <div class="meta">
              <span class="muted">{{ order.createdAt | date: 'medium' }}</span>
              <strong class="num">{{ order.total | currency: currency }}</strong>
            </div>
            <p class="outcome">{{ outcome(order) }}</p>
          </li>
        }
      </ul>
    }
  `,
})
export class OrdersPage implements OnInit {
  private readonly api = inject(ShopApi);
  private readonly stream = inject(NotificationStream);
  private readonly destroyRef = inject(DestroyRef);
  readonly currency = inject(RUNTIME_CONFIG).currency;

  readonly orders = signal<ShopOrder[]>([]);
  readonly loading = signal(true);
  readonly error = signal('');
  readonly announcement = signal('');
  /** Pictures by sku, learnt from the catalogue (orders keep names, not pictures). */
  private readonly images = signal<Record<string, string>>({});

  ngOnInit(): void {
    this.refresh();
    this.stream.events$.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((event) => {
      if (event.type === 'open') this.refresh(false);
      else if (event.notification.orderId) this.refreshOrder(event.notification.orderId);
    });
  }

  name(line: { sku: string; name?: string }): string {
    return lineName(line);
  }

  image(sku: string): string {
    return this.images()[sku] ?? '';
  }

  summary(order: ShopOrder): string {
    return order.lines.map((l) => `${l.quantity} × ${lineName(l)}`).join(', ');
  }

  outcome(order: ShopOrder): string {
    return orderOutcome(order);
  }

  refresh(showLoading = true): void {
    if (showLoading) this.loading.set(true);
    this.api.myOrders(1, 50).subscribe({
      next: (page) => {
        this.orders.set(page.items);
        this.error.set('');
        this.loading.set(false);
        this.loadImages(page.items);
      },
      error: (error: unknown) => {
        this.error.set(problemMessage(error));
        this.loading.set(false);
      },
    });
  }

  private loadImages(orders: ShopOrder[]): void {
    const skus = new Set(orders.flatMap((o) => o.lines.slice(0, 3).map((l) => l.sku)));
    for (const sku of skus) {
      if (sku in this.images()) continue;
      this.images.update((m) => ({ ...m, [sku]: '' }));
      this.api.item(sku).subscribe({ next: (item) => this.images.update((m) => ({ ...m, [sku]: item.image })), error: () => undefined });
    }
  }

  private refreshOrder(id: string): void {
    this.api.order(id).subscribe({
      next: (order) => this.replace(order),
      error: () => this.refresh(false),
    });
  }

  private replace(order: ShopOrder): void {
    const current = this.orders();
    const previous = current.find((o) => o.id === order.id);
    this.orders.set(previous ? current.map((o) => (o.id === order.id ? order : o)) : [order, ...current]);
    if (previous && previous.status !== order.status) {
      this.announcement.set(`Order ${order.id.slice(0, 8)} is now ${statusLabel(order.status).toLowerCase()}.`);
    }
  }
}

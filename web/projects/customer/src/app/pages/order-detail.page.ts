import { CurrencyPipe, DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { AppNotification, isCancellable } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { CartService } from '../cart.service';
import { ProductImage } from '../catalogue/product-image';
import { RUNTIME_CONFIG } from '../config';
import { NotificationStream } from '../notification-stream.service';
import { lineName, orderOutcome, orderTimeline } from '../orders/order-outcome';
import { ShopApi } from '../shop-api.service';
import { ShopOrder } from '../shop-models';

/** Navigation state the cart sets after checkout: the order the "thank you" belongs to. */
export interface PlacedState {
  placed?: string;
}

/**
 * One order at /orders/:id (a deep link that works after a reload or in a new tab): the outcome in words, a status
 * timeline, lines with names and pictures, totals, and Cancel while allowed. Updates live.
 */
@Component({
  selector: 'app-order-detail-page',
  imports: [CurrencyPipe, DatePipe, RouterLink, StatusBadge, ProductImage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/orders">← My orders</a></p>
    @if (loadError()) {
      <p class="error" role="alert">{{ loadError() }}</p>
    } @else if (!order()) {
      <p class="loading" role="status">Loading the order…</p>
    } @else {
      @let o = order()!;
      <h1>Order <code data-testid="order-id" [attr.title]="o.id">{{ o.id.slice(0, 8) }}</code> <mer-status-badge [status]="o.status" /></h1>
      @if (thanked() && o.status !== 'rejected') {
        <div class="notice banner" role="status" data-testid="thank-you">
          <span>Thank you for your order!</span>
          <button type="button" class="secondary" (click)="dismiss()">Dismiss</button>
        </div>
      }
      <p [class]="o.status === 'rejected' ? 'error outcome' : 'outcome'" data-testid="order-outcome" aria-live="polite">{{ outcome() }}</p>
      @if (o.status === 'rejected' && refillable() > 0) {
        <p class="row">
          <button type="button" data-testid="refill-cart" (click)="refillCart()">Put what is available in your cart</button>
          @if (refilled()) { <span role="status">{{ refilled() }} <a routerLink="/cart">Go to your cart</a></span> }
        </p>
      }
      @if (actionError()) { <p class="error" role="alert">{{ actionError() }}</p> }

      <h2>Progress</h2>
      <ol class="timeline" aria-label="Order progress">
        @for (step of timeline(); track step.label) {
          <li [attr.data-state]="step.state" [attr.aria-current]="step.state === 'current' ? 'step' : null">
            <span class="label">{{ step.label }}</span>
            @if (step.at) { <span class="muted">{{ step.at | date: 'medium' }}</span> }
          </li>
        }
      </ol>

      <h2>Items</h2>
      <ul class="cart-lines" aria-label="Items">
        @for (line of o.lines; track line.sku) {
          <li class="cart-line order-line" [attr.data-sku]="line.sku">
            <app-product-image [src]="images()[line.sku] ?? ''" [name]="name(line)" [width]="96" />
            <div class="what">
              <a [routerLink]="['/products', line.sku]" class="name">{{ name(line) }}</a>
              <span class="muted">{{ line.quantity }} × {{ line.unitPrice | currency: currency }}</span>
            </div>
            <span class="subtotal num">{{ line.quantity * line.unitPrice | currency: currency }}</span>
          </li>
        }
      </ul>
      <p class="total"><span>Total</span> <strong data-testid="order-total">{{ o.total | currency: currency }}</strong></p>
      <p class="muted">Placed {{ o.createdAt | date: 'medium' }}</p>
      @if (cancellable()) {
        <button type="button" class="secondary" (click)="cancel()" [disabled]="busy()">{{ busy() ? 'Cancelling…' : 'Cancel order' }}</button>
      }
    }
  `,
})
export class OrderDetailPage implements OnInit {
  private readonly api = inject(ShopApi);
  private readonly stream = inject(NotificationStream);
  private readonly destroyRef = inject(DestroyRef);
  private readonly cart = inject(CartService);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  /** Route parameter. */
  readonly id = input.required<string>();

  readonly order = signal<ShopOrder | null>(null);
  readonly notifications = signal<AppNotification[]>([]);
  readonly images = signal<Record<string, string>>({});
  readonly loadError = signal('');
  readonly actionError = signal('');
  readonly busy = signal(false);
  /** The thank-you shows only on the order it was placed for, until dismissed. */
  readonly thanked = signal(false);
  readonly outcome = computed(() => {
    const order = this.order();
    return order ? orderOutcome(order) : '';
  });
  readonly timeline = computed(() => {
    const order = this.order();
    return order ? orderTimeline(order, this.notifications()) : [];
  });
  readonly refilled = signal('');
  /** What a refused order could still get: each line lowered to what was available when it was refused. */
  readonly refill = computed(() => {
    const order = this.order();
    if (!order) return [];
    const short = new Map((order.shortages ?? []).map((s) => [s.sku, s.available]));
    return order.lines
      .map((line) => ({ line, quantity: Math.min(line.quantity, short.get(line.sku) ?? line.quantity) }))
      .filter((r) => r.quantity > 0);
  });
  readonly refillable = computed(() => this.refill().length);
  readonly cancellable = computed(() => {
    const order = this.order();
    return order !== null && isCancellable(order.status);
  });

  ngOnInit(): void {
    this.thanked.set((history.state as PlacedState | null)?.placed === this.id());
    this.load();
    this.loadNotifications();
    this.stream.events$.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((event) => {
      if (event.type === 'open') {
        this.load();
      } else if (event.notification.orderId === this.id()) {
        this.notifications.update((list) => [event.notification, ...list]);
        this.load();
      }
    });
  }

  name(line: { sku: string; name?: string }): string {
    return lineName(line);
  }

  /** After a refusal the customer can try again with what was left, without searching the products again. */
  refillCart(): void {
    let added = 0;
    for (const { line, quantity } of this.refill()) {
      added += this.cart.add({ sku: line.sku, name: lineName(line), unitPrice: line.unitPrice, image: this.images()[line.sku] ?? '' }, quantity - this.cart.quantityOf(line.sku));
    }
    this.refilled.set(added > 0 ? `${added} ${added === 1 ? 'item' : 'items'} put in your cart.` : 'Your cart already holds them.');
  }

  /** The banner goes, and stays gone on reload (the history entry forgets it). */
  dismiss(): void {
    this.thanked.set(false);
    history.replaceState({ ...(history.state as object), placed: undefined }, '');
  }

  cancel(): void {
    this.busy.set(true);
    this.actionError.set('');
    this.api.cancel(this.id()).subscribe({
      next: (order) => {
        this.order.set(order);
        this.busy.set(false);
      },
      error: (error: unknown) => {
        this.actionError.set(
          error instanceof HttpErrorResponse && error.status === 409 ? 'This order can no longer be cancelled.' : problemMessage(error),
        );
        this.busy.set(false);
        this.load();
      },
    });
  }

  private load(): void {
    this.api.order(this.id()).subscribe({
      next: (order) => {
        const first = this.order() === null;
        this.order.set(order);
        this.loadError.set('');
        if (first) this.loadImages(order);
      },
      error: (error: unknown) =>
        this.loadError.set(
          error instanceof HttpErrorResponse && error.status === 404 ? 'We could not find this order among yours.' : problemMessage(error),
        ),
    });
  }

  private loadNotifications(): void {
    this.api.notifications(1, 100).subscribe({
      next: (page) => this.notifications.set(page.items.filter((n) => n.orderId === this.id())),
      error: () => undefined,
    });
  }

  private loadImages(order: ShopOrder): void {
    for (const line of order.lines) {
      this.api.item(line.sku).subscribe({ next: (item) => this.images.update((m) => ({ ...m, [line.sku]: item.image })), error: () => undefined });
    }
  }
}

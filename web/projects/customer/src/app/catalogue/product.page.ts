import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { problemMessage } from '@shared/problem';
import { CartService } from '../cart.service';
import { RUNTIME_CONFIG } from '../config';
import { money } from '../money';
import { ShopApi } from '../shop-api.service';
import { CatalogueItem, availabilityLabel } from '../shop-models';
import { ProductImage } from './product-image';

/** One product: large picture, description, availability, quantity up to what may be ordered, add to cart. */
@Component({
  selector: 'app-product-page',
  imports: [ProductImage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a href="/">← Back to the shop</a></p>
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    } @else if (!item()) {
      <p class="loading" role="status">Loading the product…</p>
    } @else {
      @let p = item()!;
      <article class="product-detail" [attr.data-sku]="p.sku">
        <app-product-image [src]="p.image" [name]="p.name" [alt]="p.name" [width]="640" [eager]="true" />
        <div class="stack">
          <h1>{{ p.name }}</h1>
          <p class="muted">{{ p.brand }} · {{ p.category }}</p>
          <p class="price big">{{ price(p.price) }}</p>
          <p class="availability" [attr.data-availability]="p.availability" data-testid="availability">{{ availability() }}</p>
          <p class="description">{{ p.description }}</p>
          @if (room() > 0) {
            <div class="row">
              <label>Quantity
                <input type="number" name="quantity" min="1" [max]="room()" [value]="quantity()" inputmode="numeric"
                  aria-describedby="quantity-hint" #qty (change)="setQuantity(qty)" />
              </label>
              <button type="button" (click)="add()">Add to cart</button>
            </div>
            <p id="quantity-hint" class="muted hint" data-testid="quantity-hint">{{ hint() }}</p>
          } @else if (p.maxQuantity > 0) {
            <p class="muted" id="quantity-hint">Your cart already holds {{ inCart() }}, all that one order may take. <a href="/cart">Go to your cart</a></p>
          } @else {
            <p class="muted">This product is out of stock for now.</p>
          }
          <p class="sr-only" aria-live="polite">{{ added() }}</p>
          @if (added()) { <p class="notice" role="status">{{ added() }} <a href="/cart">View cart</a></p> }
        </div>
      </article>
    }
  `,
})
export class ProductPage implements OnInit {
  private readonly api = inject(ShopApi);
  private readonly cart = inject(CartService);
  private readonly title = inject(Title);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  /** Route parameter. */
  readonly sku = input.required<string>();

  readonly item = signal<CatalogueItem | null>(null);
  readonly error = signal('');
  readonly quantity = signal(1);
  readonly added = signal('');
  readonly inCart = computed(() => this.cart.lines().find((l) => l.sku === this.sku())?.quantity ?? 0);
  /** How many more this customer may still put in the cart. */
  readonly room = computed(() => Math.max(0, (this.item()?.maxQuantity ?? 0) - this.inCart()));
  readonly availability = computed(() => {
    const item = this.item();
    return item ? availabilityLabel(item) : '';
  });
  readonly hint = computed(() => {
    const item = this.item();
    if (!item) return '';
    const why = item.availability === 'low-stock' ? `only ${item.left ?? item.maxQuantity} left` : `at most ${item.maxQuantity} per order`;
    return this.inCart() > 0 ? `You can add up to ${this.room()} more (${why}; ${this.inCart()} in your cart).` : `You can order up to ${this.room()} (${why}).`;
  });

  price(amount: number): string {
    return money(amount, this.currency);
  }

  ngOnInit(): void {
    this.api.item(this.sku()).subscribe({
      next: (item) => {
        this.item.set(item);
        this.title.setTitle(`${item.name} · Meridian`);
      },
      error: (error: unknown) =>
        this.error.set(error instanceof HttpErrorResponse && error.status === 404 ? 'We could not find this product. It may no longer be sold.' : problemMessage(error)),
    });
  }

  /** Keeps the field within 1..room, writing the kept value back so the field never shows more than allowed. */
  setQuantity(field: HTMLInputElement): void {
    const value = field.valueAsNumber;
    const kept = Number.isInteger(value) ? Math.min(Math.max(value, 1), this.room()) : 1;
    this.quantity.set(kept);
    field.value = String(kept);
  }

  add(): void {
    const item = this.item();
    if (!item) return;
    const n = this.cart.add({ sku: item.sku, name: item.name, unitPrice: item.price, image: item.image, limit: item.maxQuantity }, Math.min(this.quantity(), this.room()));
    this.added.set(n > 0 ? `Added ${n} × ${item.name} to your cart.` : `Your cart already holds all of ${item.name} we can sell.`);
    this.quantity.set(1);
  }
}

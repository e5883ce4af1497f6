import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { finalize } from 'rxjs';
import { problemMessage } from '@shared/problem';
import { AuthService } from '../auth.service';
import { CartLine, CartService, lineLimit } from '../cart.service';
import { ProductImage } from '../catalogue/product-image';
import { RUNTIME_CONFIG } from '../config';
import { StepwiseCount, inNextTask } from '../main-thread';
import { productUrl } from '../links';
import { money } from '../money';
import { ShopApi } from '../shop-api.service';

/**
 * The cart: lines with pictures, quantities kept within what may be ordered (the field says why), totals and
 * checkout. Anyone may fill it; checkout asks to sign in first and the cart comes back after the round trip.
 */
@Component({
  selector: 'app-cart-page',
  imports: [ProductImage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Your cart</h1>
    @if (cart.lines().length === 0) {
      <p class="empty">Your cart is empty. <a href="/">Browse the shop</a>.</p>
    } @else {
      <ul class="cart-lines" aria-label="Cart">
        @for (line of shownLines(); track line.sku) {
          <li class="cart-line" [attr.data-sku]="line.sku">
            <app-product-image [src]="line.image ?? ''" [name]="line.name" [width]="96" />
            <div class="what">
              <a [href]="url(line.sku)" class="name">{{ line.name }}</a>
              <span class="muted">{{ price(line.unitPrice) }} each</span>
            </div>
            <div class="qty">
              <label [for]="'qty-' + line.sku" class="sr-only">Quantity of {{ line.name }}</label>
              <input [id]="'qty-' + line.sku" type="number" min="1" [max]="limit(line)" [value]="line.quantity" inputmode="numeric"
                [attr.aria-describedby]="'why-' + line.sku" #qty (change)="setQuantity(line, qty)" />
              <span class="muted hint" [id]="'why-' + line.sku" [attr.data-testid]="'limit-' + line.sku">{{ why(line) }}</span>
            </div>
            <span class="subtotal num">{{ price(line.unitPrice * line.quantity) }}</span>
            <button type="button" class="secondary" (click)="cart.remove(line.sku)" [attr.aria-label]="'Remove ' + line.name">Remove</button>
          </li>
        }
      </ul>
      <p class="total"><span>Total</span> <strong data-testid="cart-total">{{ price(cart.total()) }}</strong></p>
      @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
      @if (auth.signedIn()) {
        <button type="button" data-testid="place-order" (click)="placeOrder()" [disabled]="placing()" [attr.aria-busy]="placing()">
          {{ placing() ? 'Placing order…' : 'Place order' }}
        </button>
      } @else {
        <p class="muted">Sign in to check out: your cart is kept while you do.</p>
        <button type="button" data-testid="sign-in-to-checkout" (click)="auth.signIn('/cart')">Sign in to check out</button>
      }
    }
  `,
})
export class CartPage {
  readonly cart = inject(CartService);
  readonly auth = inject(AuthService);
  private readonly api = inject(ShopApi);
  private readonly router = inject(Router);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  readonly placing = signal(false);
  readonly error = signal('');
  /** The heading, total and checkout come with the navigation; the lines follow one per task. */
  private readonly shownCount = new StepwiseCount(1, 0);
  readonly shownLines = computed(() => this.cart.lines().slice(0, this.shownCount.count()));
  /** Lines whose quantity was lowered to what may be ordered, with the reason shown next to the field. */
  readonly lowered = signal<Record<string, string>>({});

  constructor() {
    this.shownCount.grow(this.cart.lines().length);
    inNextTask(() => this.checkAvailability());
  }

  /** Asks the catalogue what may be ordered now, so the fields stop at the current availability. */
  private checkAvailability(): void {
    for (const line of this.cart.lines()) {
      this.api.item(line.sku).subscribe({
        next: (item) => {
          const before = line.quantity;
          this.cart.refresh(line.sku, { name: item.name, unitPrice: item.price, image: item.image, limit: item.maxQuantity });
          const after = this.cart.lines().find((l) => l.sku === line.sku)?.quantity ?? before;
          if (after < before) this.note(line.sku, `Lowered to ${after}: only ${after} can be ordered now.`);
        },
        error: () => undefined,
      });
    }
  }

  price(amount: number): string {
    return money(amount, this.currency);
  }

  url(sku: string): string {
    return productUrl(sku);
  }

  limit(line: CartLine): number {
    return lineLimit(line);
  }

  why(line: CartLine): string {
    const note = this.lowered()[line.sku];
    if (note) return note;
    if (line.limit === undefined) return '';
    if (line.limit === 0) return 'Out of stock now: remove it to check out.';
    return line.quantity >= line.limit ? `At most ${line.limit}: ${line.limit < 10 ? `only ${line.limit} available` : 'the most one order may take'}.` : '';
  }

  setQuantity(line: CartLine, field: HTMLInputElement): void {
    const wanted = field.valueAsNumber;
    const kept = this.cart.setQuantity(line.sku, wanted);
    if (kept > 0 && kept < wanted) {
      this.note(line.sku, `Only ${kept} can be ordered: ${kept < 10 ? `only ${kept} available` : 'the most one order may take'}.`);
    } else {
      this.note(line.sku, '');
    }
    if (kept > 0) field.value = String(kept);
  }

  placeOrder(): void {
    if (this.placing() || this.cart.lines().length === 0) return;
    this.placing.set(true);
    this.error.set('');
    const lines = this.cart.lines().map(({ sku, quantity }) => ({ sku, quantity }));
    this.api
      .placeOrder(lines, this.cart.checkoutKey())
      .pipe(finalize(() => this.placing.set(false)))
      .subscribe({
        next: (order) => {
          this.cart.clear();
          void this.router.navigate(['/orders', order.id], { state: { placed: order.id } });
        },
        error: (error: unknown) => {
          this.error.set(problemMessage(error));
          // A 4xx refusal created nothing: the next attempt is a new request. On a network error or 5xx the
          // order may exist, so the retry keeps the key and the service answers with that order.
          if (error instanceof HttpErrorResponse && error.status >= 400 && error.status < 500 && error.status !== 409) {
            this.cart.renewCheckoutKey();
          }
        },
      });
  }

  private note(sku: string, text: string): void {
    this.lowered.update((notes) => ({ ...notes, [sku]: text }));
  }
}

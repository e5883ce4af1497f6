import { CurrencyPipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { finalize } from 'rxjs';
import { problemMessage } from '@shared/problem';
import { CartService, maxQuantity } from '../cart.service';
import { ShopApi } from '../shop-api.service';
import { RUNTIME_CONFIG } from '../config';

@Component({
  selector: 'app-cart-page',
  imports: [CurrencyPipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Your cart</h1>
    @if (cart.lines().length === 0) {
      <p class="empty">Your cart is empty. <a routerLink="/products">Browse products</a>.</p>
    } @else {
      <table class="responsive" aria-label="Cart">
        <thead><tr><th>Product</th><th class="num">Unit price</th><th>Quantity</th><th class="num">Subtotal</th><th><span class="sr-only">Remove</span></th></tr></thead>
        <tbody>
          @for (line of cart.lines(); track line.sku) {
            <tr [attr.data-sku]="line.sku">
              <td data-label="Product">{{ line.name }} <span class="muted">({{ line.sku }})</span></td>
              <td data-label="Unit price" class="num">{{ line.unitPrice | currency: currency }}</td>
              <td data-label="Quantity">
                <input type="number" min="1" [max]="maxQuantity" [value]="line.quantity" style="width: 5rem"
                  [attr.aria-label]="'Quantity of ' + line.name" #qty (change)="setQuantity(line.sku, qty.valueAsNumber)" />
              </td>
              <td data-label="Subtotal" class="num">{{ line.unitPrice * line.quantity | currency: currency }}</td>
              <td><button type="button" class="secondary" (click)="cart.remove(line.sku)" [attr.aria-label]="'Remove ' + line.name">Remove</button></td>
            </tr>
          }
        </tbody>
      </table>
      <p class="row"><strong>Total: <span data-testid="cart-total">{{ cart.total() | currency: currency }}</span></strong></p>
      @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
      <button type="button" data-testid="place-order" (click)="placeOrder()" [disabled]="placing()" [attr.aria-busy]="placing()">
        {{ placing() ? 'Placing order…' : 'Place order' }}
      </button>
    }
  `,
})
export class CartPage {
  readonly cart = inject(CartService);
  private readonly api = inject(ShopApi);
  private readonly router = inject(Router);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  readonly maxQuantity = maxQuantity;
  readonly placing = signal(false);
  readonly error = signal('');

  setQuantity(sku: string, quantity: number): void {
    this.cart.setQuantity(sku, quantity);
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
          void this.router.navigate(['/orders'], { queryParams: { placed: order.id } });
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
}

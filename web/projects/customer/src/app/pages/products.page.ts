import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Subject, switchMap, debounceTime, startWith, catchError, of, map, finalize } from 'rxjs';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Paged, Product } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { ShopApi } from '../shop-api.service';
import { CartService } from '../cart.service';
import { RUNTIME_CONFIG } from '../config';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; page: Paged<Product> };

@Component({
  selector: 'app-products-page',
  imports: [FormsModule, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Products</h1>
    <form class="row" role="search" (submit)="$event.preventDefault(); search(query)">
      <label>Search products
        <input type="search" name="q" [(ngModel)]="query" (ngModelChange)="search($event)" placeholder="Name or SKU" />
      </label>
    </form>
    @if (added()) { <p class="notice" role="status">{{ added() }}</p> }
    @switch (load().state) {
      @case ('loading') { <p class="loading" role="status">Loading products…</p> }
      @case ('error') { <p class="error" role="alert">{{ errorMessage() }}</p> }
      @case ('done') {
        @if (items().length === 0) {
          <p class="empty">No products match{{ query ? ' “' + query + '”' : '' }}.</p>
        } @else {
          <table class="responsive" aria-label="Products" [attr.aria-busy]="searching()">
            <thead><tr><th>Product</th><th>SKU</th><th class="num">Price</th><th class="num">In stock</th><th>Quantity</th><th><span class="sr-only">Add</span></th></tr></thead>
            <tbody>
              @for (p of items(); track p.sku) {
                <tr [attr.data-sku]="p.sku">
                  <td data-label="Product">{{ p.name }}</td>
                  <td data-label="SKU" class="muted">{{ p.sku }}</td>
                  <td data-label="Price" class="num">{{ p.price | currency: currency }}</td>
                  <td data-label="In stock" class="num">
                    @if (p.available > 0) { {{ p.available }} } @else { <span class="muted">Out of stock</span> }
                  </td>
                  <td data-label="Quantity">
                    <input type="number" min="1" [max]="p.available" [value]="1" #qty
                      [attr.aria-label]="'Quantity of ' + p.name" [disabled]="p.available < 1" style="width: 5rem" />
                  </td>
                  <td>
                    <button type="button" (click)="add(p, qty.valueAsNumber)" [disabled]="p.available < 1"
                      [attr.aria-label]="'Add to cart: ' + p.name">Add to cart</button>
                  </td>
                </tr>
              }
            </tbody>
          </table>
          <p class="muted">{{ total() }} product(s)</p>
        }
      }
    }
  `,
})
export class ProductsPage {
  private readonly api = inject(ShopApi);
  private readonly cart = inject(CartService);
  readonly currency = inject(RUNTIME_CONFIG).currency;
  private readonly queries = new Subject<string>();

  query = '';
  readonly load = signal<Load>({ state: 'loading' });
  readonly added = signal('');
  readonly searching = signal(false);

  constructor() {
    this.queries
      .pipe(
        debounceTime(250),
        startWith(''),
        // While a new search runs the previous results stay on screen (marked busy): rows never vanish
        // under the pointer or the keyboard focus.
        switchMap((q) => {
          this.searching.set(true);
          return this.api.products({ q, pageSize: 50 }).pipe(
            map((page): Load => ({ state: 'done', page })),
            catchError((error: unknown) => of<Load>({ state: 'error', message: problemMessage(error) })),
            finalize(() => this.searching.set(false)),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((load) => this.load.set(load));
  }

  items(): Product[] {
    const load = this.load();
    return load.state === 'done' ? load.page.items : [];
  }

  total(): number {
    const load = this.load();
    return load.state === 'done' ? load.page.total : 0;
  }

  errorMessage(): string {
    const load = this.load();
    return load.state === 'error' ? load.message : '';
  }

  search(q: string): void {
    this.queries.next(q);
  }

  add(product: Product, quantity: number): void {
    const wanted = Number.isInteger(quantity) && quantity > 0 ? quantity : 1;
    try {
      this.cart.add({ sku: product.sku, name: product.name, unitPrice: product.price }, wanted);
      this.added.set(`Added ${wanted} × ${product.name} to your cart.`);
    } catch (error) {
      this.added.set(problemMessage(error));
    }
  }
}

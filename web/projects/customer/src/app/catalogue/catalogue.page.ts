import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router } from '@angular/router';
import { EMPTY, Subject, catchError, debounceTime, distinctUntilChanged, switchMap, tap } from 'rxjs';
import { problemMessage } from '@shared/problem';
import { CartService } from '../cart.service';
import { RUNTIME_CONFIG } from '../config';
import { productUrl } from '../links';
import { money } from '../money';
import { ShopApi } from '../shop-api.service';
import { CatalogueFacets, CatalogueItem, CatalogueQuery, availabilityLabel } from '../shop-models';
import { StepwiseCount } from '../main-thread';

const pageSize = 24;
/** Cards built per main-thread task (the first step fills a phone's screen). */
const cardsPerStep = 2;

function queryOf(params: Record<string, string | undefined>): CatalogueQuery {
  const sort = params['sort'];
  return {
    q: params['q'] ?? '',
    category: params['category'] ?? '',
    brand: params['brand'] ?? '',
    sort: sort === 'price-asc' || sort === 'price-desc' ? sort : 'name',
  };
}

/**
 * The shop's front page: the catalogue as a grid of cards, with search, filters and sorting kept in the URL.
 * A card is plain elements only (a link followed by the app's one click listener, an <img> with its size, text):
 * no component, directive or pipe per card, so two dozen cards cost a mid-tier phone little main-thread time.
 */
@Component({
  selector: 'app-catalogue-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Shop</h1>
    <form class="filters" role="search" aria-label="Products" (submit)="$event.preventDefault()">
      <label class="grow">Search products
        <input type="search" name="q" [value]="query().q" (input)="search($any($event.target).value)" autocomplete="off" placeholder="Name or brand" />
      </label>
      <label>Category
        <select name="category" (change)="filter({ category: $any($event.target).value })">
          <option value="" [selected]="!query().category">All categories</option>
          @for (c of facets().categories; track c.name) {
            <option [value]="c.name" [selected]="query().category === c.name">{{ c.name }} ({{ c.count }})</option>
          }
        </select>
      </label>
      <label>Brand
        <select name="brand" (change)="filter({ brand: $any($event.target).value })">
          <option value="" [selected]="!query().brand">All brands</option>
          @for (b of facets().brands; track b.name) {
            <option [value]="b.name" [selected]="query().brand === b.name">{{ b.name }} ({{ b.count }})</option>
          }
        </select>
      </label>
      <label>Sort by
        <select name="sort" (change)="filter({ sort: $any($event.target).value })">
          <option value="name" [selected]="query().sort === 'name'">Name</option>
          <option value="price-asc" [selected]="query().sort === 'price-asc'">Price: low to high</option>
          <option value="price-desc" [selected]="query().sort === 'price-desc'">Price: high to low</option>
        </select>
      </label>
    </form>
    <p class="sr-only" aria-live="polite" data-testid="cart-announcement">{{ added() }}</p>
    @if (added()) { <p class="notice toast" role="status">{{ added() }} <a href="/cart">View cart</a></p> }
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (loading() && items().length === 0) {
      <p class="loading" role="status">Loading products…</p>
    } @else if (items().length === 0 && !error()) {
      <p class="empty">No products match. <button type="button" class="secondary" (click)="reset()">Show all products</button></p>
    } @else {
      <p class="muted" data-testid="result-count">{{ total() }} {{ total() === 1 ? 'product' : 'products' }}</p>
      <ul class="grid" aria-label="Products" [attr.aria-busy]="loading()">
        @for (item of shownItems(); track item.sku; let i = $index) {
          <li class="product-card" [attr.data-sku]="item.sku">
            <a [href]="url(item)" class="card-link">
              <span class="product-image">
                @if (item.image) {
                  <img [src]="item.image" alt="" width="320" height="240" [attr.loading]="i < 4 ? 'eager' : 'lazy'"
                    [attr.fetchpriority]="i < 4 ? 'high' : null" decoding="async" />
                } @else {
                  <span class="placeholder">{{ initial(item) }}</span>
                }
              </span>
              <span class="name">{{ item.name }}</span>
            </a>
            <span class="muted brand">{{ item.brand }}</span>
            <span class="price">{{ price(item) }}</span>
            <span class="availability" [attr.data-availability]="item.availability">{{ availability(item) }}</span>
            <button type="button" (click)="add(item)" [disabled]="!canAdd(item)"
              [attr.aria-label]="'Add to cart: ' + item.name">{{ addLabel(item) }}</button>
          </li>
        }
      </ul>
      @if (items().length < total()) {
        <p class="more"><button type="button" class="secondary" (click)="more()" [disabled]="loading()">Show more products</button></p>
      }
    }
  `,
})
export class CataloguePage implements OnInit {
  private readonly api = inject(ShopApi);
  private readonly cart = inject(CartService);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  readonly currency = inject(RUNTIME_CONFIG).currency;

  readonly query = signal<CatalogueQuery>(queryOf({}));
  readonly facets = signal<CatalogueFacets>({ categories: [], brands: [] });
  readonly items = signal<CatalogueItem[]>([]);
  readonly total = signal(0);
  readonly page = signal(1);
  readonly loading = signal(true);
  readonly error = signal('');
  readonly added = signal('');
  private readonly shownCount = new StepwiseCount(cardsPerStep);
  readonly shownItems = computed(() => this.items().slice(0, this.shownCount.count()));
  private readonly typed = new Subject<string>();

  ngOnInit(): void {
    this.api.facets().subscribe({ next: (f) => this.facets.set(f), error: () => undefined });
    this.typed
      .pipe(debounceTime(250), distinctUntilChanged(), takeUntilDestroyed(this.destroyRef))
      .subscribe((q) => this.filter({ q }));
    this.route.queryParams
      .pipe(
        tap((params) => {
          this.query.set(queryOf(params));
          this.page.set(1);
          this.loading.set(true);
        }),
        switchMap(() =>
          this.api.catalogue({ ...this.query(), page: 1, pageSize }).pipe(
            catchError((error: unknown) => {
              this.fail(error);
              return EMPTY;
            }),
          ),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe((page) => this.show(page.items, page.total, false));
  }

  search(q: string): void {
    this.typed.next(q);
  }

  filter(change: Partial<CatalogueQuery>): void {
    const next = { ...this.query(), ...change };
    void this.router.navigate([], {
      queryParams: { q: next.q?.trim() || null, category: next.category || null, brand: next.brand || null, sort: next.sort === 'name' ? null : next.sort },
      replaceUrl: true,
    });
  }

  reset(): void {
    void this.router.navigate([], { queryParams: {} });
  }

  more(): void {
    const next = this.page() + 1;
    this.loading.set(true);
    this.api.catalogue({ ...this.query(), page: next, pageSize }).subscribe({
      next: (page) => {
        this.page.set(next);
        this.show(page.items, page.total, true);
      },
      error: (error: unknown) => this.fail(error),
    });
  }

  url(item: CatalogueItem): string {
    return productUrl(item.sku);
  }

  price(item: CatalogueItem): string {
    return money(item.price, this.currency);
  }

  initial(item: CatalogueItem): string {
    return item.name.trim().charAt(0).toUpperCase() || '?';
  }

  availability(item: CatalogueItem): string {
    return availabilityLabel(item);
  }

  canAdd(item: CatalogueItem): boolean {
    return item.maxQuantity > this.cart.quantityOf(item.sku);
  }

  addLabel(item: CatalogueItem): string {
    if (item.maxQuantity === 0) return 'Out of stock';
    return this.canAdd(item) ? 'Add to cart' : 'All available in cart';
  }

  add(item: CatalogueItem): void {
    const n = this.cart.add({ sku: item.sku, name: item.name, unitPrice: item.price, image: item.image, limit: item.maxQuantity }, 1);
    this.added.set(n > 0 ? `Added ${n} × ${item.name} to your cart.` : `Your cart already holds all of ${item.name} we can sell.`);
  }

  private show(items: CatalogueItem[], total: number, append: boolean): void {
    const kept = append ? this.items().length : 0;
    this.items.set(append ? [...this.items(), ...items] : items);
    this.shownCount.grow(this.items().length, kept);
    this.total.set(total);
    this.error.set('');
    this.loading.set(false);
  }

  private fail(error: unknown): void {
    this.error.set(problemMessage(error));
    this.loading.set(false);
  }
}


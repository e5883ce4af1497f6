import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute } from '@angular/router';
import { Paged } from '@shared/models';
import { AdminProduct } from '../admin-models';
import { problemMessage } from '@shared/problem';
import { AdminApi } from '../admin-api.service';

export const skuPattern = /^[A-Z0-9-]{3,32}$/;

/** A path on the shop's own origin (what the inventory service accepts), or empty. */
export const imagePathPattern = /^(\/(?!\/)[A-Za-z0-9._~/-]*)?$/;

export interface ProductForm {
  sku: string;
  name: string;
  price: number | null;
  lowStockThreshold: number | null;
  description: string;
  category: string;
  brand: string;
  image: string;
}

function emptyForm(): ProductForm {
  return { sku: '', name: '', price: null, lowStockThreshold: 5, description: '', category: '', brand: '', image: '' };
}

/** Field errors of the product form, checked before the service (which checks again) sees it. */
export function productFormErrors(form: ProductForm): string[] {
  const errors: string[] = [];
  if (!skuPattern.test(form.sku)) errors.push('SKU: 3 to 32 capital letters, digits or dashes.');
  if (!form.name.trim()) errors.push('Name: required.');
  if (form.price === null || !(form.price >= 0)) errors.push('Price: a number of at least 0.');
  if (form.lowStockThreshold !== null && !(Number.isInteger(form.lowStockThreshold) && form.lowStockThreshold >= 0)) {
    errors.push('Low-stock threshold: a whole number of at least 0.');
  }
  if (!imagePathPattern.test(form.image.trim())) errors.push('Image: a path on the shop such as /products/kettle.svg, or empty.');
  return errors;
}

@Component({
  selector: 'app-inventory-page',
  imports: [FormsModule, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Inventory</h1>
    <form class="row card" role="search" (submit)="$event.preventDefault(); search()">
      <label>Search <input type="search" name="q" [(ngModel)]="query" placeholder="Name or SKU" /></label>
      <label class="inline"><span><input type="checkbox" name="lowStock" [(ngModel)]="lowStock" (ngModelChange)="search()" /> Low stock only</span></label>
      <button type="submit">Search</button>
      <button type="button" class="secondary" (click)="startCreate()">New product</button>
    </form>
    @if (message()) { <p class="notice" role="status">{{ message() }}</p> }
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }

    @if (editing()) {
      <form class="card stack" (submit)="$event.preventDefault(); save()" aria-labelledby="editor-title">
        <h2 id="editor-title">{{ creating() ? 'New product' : 'Edit ' + form.sku }}</h2>
        <div class="row">
          <label>SKU <input name="sku" [(ngModel)]="form.sku" [readonly]="!creating()" required pattern="[A-Z0-9-]{3,32}" autocomplete="off" /></label>
          <label>Name <input name="name" [(ngModel)]="form.name" required /></label>
          <label>Price <input name="price" type="number" min="0" step="0.01" [(ngModel)]="form.price" required /></label>
          <label>Low-stock threshold <input name="lowStockThreshold" type="number" min="0" step="1" [(ngModel)]="form.lowStockThreshold" /></label>
        </div>
        <div class="row">
          <label>Category <input name="category" [(ngModel)]="form.category" maxlength="100" /></label>
          <label>Brand <input name="brand" [(ngModel)]="form.brand" maxlength="100" /></label>
          <label class="grow">Image path <input name="image" [(ngModel)]="form.image" maxlength="300" placeholder="/products/kettle.svg" /></label>
        </div>
        <label>Description <textarea name="description" rows="3" [(ngModel)]="form.description" maxlength="4000"></textarea></label>
        @for (e of formErrors(); track e) { <p class="error" role="alert">{{ e }}</p> }
        <div class="row">
          <button type="submit" [disabled]="busy()">Save product</button>
          <button type="button" class="secondary" (click)="editing.set(false)">Close</button>
        </div>
      </form>
    }

    @if (adjusting(); as p) {
      <form class="card stack" (submit)="$event.preventDefault(); adjust(p)" aria-labelledby="adjust-title">
        <h2 id="adjust-title">Adjust stock of {{ p.name }} ({{ p.sku }})</h2>
        <p class="muted">On hand {{ p.onHand }}, reserved {{ p.reserved }}.</p>
        <div class="row">
          <label>Change (+/−) <input name="delta" type="number" step="1" [(ngModel)]="delta" required /></label>
          <label>Reason <input name="reason" [(ngModel)]="reason" required maxlength="200" placeholder="e.g. delivery received" /></label>
        </div>
        <div class="row">
          <button type="submit" [disabled]="busy()">Adjust stock</button>
          <button type="button" class="secondary" (click)="adjusting.set(null)">Close</button>
        </div>
      </form>
    }

    @if (result(); as page) {
      @if (page.items.length === 0) {
        <p class="empty">{{ lowStock ? 'No product is low on stock.' : 'No products found.' }}</p>
      } @else {
        <table class="responsive" aria-label="Products" [attr.aria-busy]="loading()">
          <thead><tr><th>SKU</th><th>Name</th><th>Category</th><th class="num">Price</th><th class="num">On hand</th><th class="num">Reserved</th><th class="num">Available</th><th class="num">Low at</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            @for (p of page.items; track p.sku) {
              <tr [attr.data-sku]="p.sku" [class.low]="p.available <= p.lowStockThreshold">
                <td data-label="SKU"><code>{{ p.sku }}</code></td>
                <td data-label="Name">{{ p.name }}</td>
                <td data-label="Category">{{ p.category || '—' }}</td>
                <td data-label="Price" class="num">{{ p.price | currency: 'EUR' }}</td>
                <td data-label="On hand" class="num">{{ p.onHand }}</td>
                <td data-label="Reserved" class="num">{{ p.reserved }}</td>
                <td data-label="Available" class="num">{{ p.available }} @if (p.available <= p.lowStockThreshold) { <strong>(low)</strong> }</td>
                <td data-label="Low at" class="num">{{ p.lowStockThreshold }}</td>
                <td class="row">
                  <button type="button" class="secondary" (click)="startEdit(p)" [attr.aria-label]="'Edit ' + p.sku">Edit</button>
                  <button type="button" class="secondary" (click)="startAdjust(p)" [attr.aria-label]="'Adjust stock of ' + p.sku">Adjust</button>
                </td>
              </tr>
            }
          </tbody>
        </table>
        <p class="muted">{{ page.total }} product(s)</p>
      }
    } @else if (loading()) {
      <p class="loading" role="status">Loading products…</p>
    }
  `,
  styles: `tr.low td { background: #fff4d6; } label.inline { flex-direction: row; align-items: center; } label.grow { flex: 1 1 16rem; }`,
})
export class InventoryPage implements OnInit {
  private readonly api = inject(AdminApi);
  private readonly route = inject(ActivatedRoute);
  query = '';
  lowStock = false;
  form: ProductForm = emptyForm();
  delta: number | null = null;
  reason = '';
  readonly loading = signal(true);
  readonly busy = signal(false);
  readonly error = signal('');
  readonly message = signal('');
  readonly formErrors = signal<string[]>([]);
  readonly result = signal<Paged<AdminProduct> | null>(null);
  readonly editing = signal(false);
  readonly creating = signal(false);
  readonly adjusting = signal<AdminProduct | null>(null);

  ngOnInit(): void {
    this.lowStock = this.route.snapshot.queryParamMap.get('lowStock') === '1';
    this.search();
  }

  /** The rows on screen stay while a new answer loads (marked busy), so a save or search never blanks the list. */
  search(): void {
    this.loading.set(true);
    this.api.products({ q: this.query.trim() || undefined, lowStock: this.lowStock, pageSize: 100 }).subscribe({
      next: (page) => {
        this.result.set(page);
        this.loading.set(false);
      },
      error: (error: unknown) => {
        this.error.set(problemMessage(error));
        this.loading.set(false);
      },
    });
  }

  startCreate(): void {
    this.form = emptyForm();
    this.formErrors.set([]);
    this.creating.set(true);
    this.editing.set(true);
    this.adjusting.set(null);
  }

  startEdit(product: AdminProduct): void {
    this.form = {
      sku: product.sku,
      name: product.name,
      price: product.price,
      lowStockThreshold: product.lowStockThreshold,
      description: product.description ?? '',
      category: product.category ?? '',
      brand: product.brand ?? '',
      image: product.image ?? '',
    };
    this.formErrors.set([]);
    this.creating.set(false);
    this.editing.set(true);
    this.adjusting.set(null);
  }

  startAdjust(product: AdminProduct): void {
    this.delta = null;
    this.reason = '';
    this.adjusting.set(product);
    this.editing.set(false);
  }

  save(): void {
    this.form.sku = this.form.sku.trim().toUpperCase();
    const errors = productFormErrors(this.form);
    this.formErrors.set(errors);
    if (errors.length > 0) return;
    this.run(
      this.api.saveProduct(this.form.sku, {
        name: this.form.name.trim(),
        price: Number(this.form.price),
        ...(this.form.lowStockThreshold !== null ? { lowStockThreshold: Number(this.form.lowStockThreshold) } : {}),
        description: this.form.description.trim(),
        category: this.form.category.trim(),
        brand: this.form.brand.trim(),
        image: this.form.image.trim(),
      }),
      (p) => `Saved ${p.sku}.`,
      () => this.editing.set(false),
    );
  }

  adjust(product: AdminProduct): void {
    const delta = Number(this.delta);
    if (!Number.isInteger(delta) || delta === 0) return this.error.set('Change: a whole number other than 0.');
    if (!this.reason.trim()) return this.error.set('Reason: required.');
    this.run(
      this.api.adjustStock(product.sku, delta, this.reason.trim()),
      (p) => `Stock of ${p.sku} is now ${p.onHand} on hand (${p.available} available).`,
      () => this.adjusting.set(null),
    );
  }

  private run(call: ReturnType<AdminApi['saveProduct']>, done: (p: AdminProduct) => string, after: () => void): void {
    this.busy.set(true);
    this.error.set('');
    this.message.set('');
    call.subscribe({
      next: (product) => {
        this.busy.set(false);
        this.message.set(done(product));
        after();
        this.search();
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.error.set(problemMessage(error));
      },
    });
  }
}

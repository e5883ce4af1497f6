import { CurrencyPipe, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { OrderStatus, Paged } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { AdminApi } from '../admin-api.service';
import { AdminOrder, customerLabel } from '../admin-models';

const statuses: OrderStatus[] = ['pending', 'confirmed', 'rejected', 'cancelled', 'shipped'];

/** A date input (yyyy-mm-dd) as the ISO instant that starts (or ends) that UTC day. */
export function dayBoundary(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return end ? `${day}T23:59:59.999Z` : `${day}T00:00:00.000Z`;
}

@Component({
  selector: 'app-orders-page',
  imports: [FormsModule, RouterLink, CurrencyPipe, DatePipe, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Orders</h1>
    <form class="row card" (submit)="$event.preventDefault(); search(1)" aria-label="Search orders">
      <label>Status
        <select name="status" [(ngModel)]="status">
          <option value="">Any</option>
          @for (s of statuses; track s) { <option [value]="s">{{ s }}</option> }
        </select>
      </label>
      <label>From <input type="date" name="from" [(ngModel)]="from" /></label>
      <label>To <input type="date" name="to" [(ngModel)]="to" /></label>
      <label>Customer <input type="search" name="customer" [(ngModel)]="customer" placeholder="Name or email" /></label>
      <button type="submit">Search</button>
    </form>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (loading()) {
      <p class="loading" role="status">Loading orders…</p>
    } @else if (result(); as page) {
      @if (page.items.length === 0) {
        <p class="empty">No orders match these filters.</p>
      } @else {
        <table class="responsive" aria-label="Orders">
          <thead><tr><th>Order</th><th>Customer</th><th>Placed</th><th class="num">Total</th><th>Status</th></tr></thead>
          <tbody>
            @for (order of page.items; track order.id) {
              <tr [attr.data-order-id]="order.id">
                <td data-label="Order"><a [routerLink]="['/orders', order.id]"><code>{{ order.id.slice(0, 8) }}</code></a></td>
                <td data-label="Customer">
                  <span class="customer">{{ customerName(order) }}</span>&ngsp;
                  @if (order.customerEmail) { <span class="muted email">{{ order.customerEmail }}</span> }
                </td>
                <td data-label="Placed">{{ order.createdAt | date: 'medium' }}</td>
                <td data-label="Total" class="num">{{ order.total | currency: 'EUR' }}</td>
                <td data-label="Status"><mer-status-badge [status]="order.status" /></td>
              </tr>
            }
          </tbody>
        </table>
        <nav class="row" aria-label="Pages">
          <button type="button" class="secondary" (click)="search(page.page - 1)" [disabled]="page.page <= 1">Previous</button>
          <span>Page {{ page.page }} of {{ pages(page) }} ({{ page.total }} orders)</span>
          <button type="button" class="secondary" (click)="search(page.page + 1)" [disabled]="page.page >= pages(page)">Next</button>
        </nav>
      }
    }
  `,
  styles: `.email { display: block; font-size: 0.85rem; overflow-wrap: anywhere; }`,
})
export class OrdersPage implements OnInit {
  private readonly api = inject(AdminApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  readonly statuses = statuses;
  status: OrderStatus | '' = '';
  from = '';
  to = '';
  customer = '';
  readonly customerName = customerLabel;
  readonly loading = signal(true);
  readonly error = signal('');
  readonly result = signal<Paged<AdminOrder> | null>(null);

  ngOnInit(): void {
    const query = this.route.snapshot.queryParamMap;
    this.status = (query.get('status') as OrderStatus | null) ?? '';
    this.from = query.get('from') ?? '';
    this.to = query.get('to') ?? '';
    this.customer = query.get('customer') ?? '';
    this.search(Number(query.get('page')) || 1);
  }

  pages(page: Paged<AdminOrder>): number {
    return Math.max(1, Math.ceil(page.total / page.pageSize));
  }

  search(page: number): void {
    this.loading.set(true);
    this.error.set('');
    void this.router.navigate([], {
      queryParams: { status: this.status || null, from: this.from || null, to: this.to || null, customer: this.customer.trim() || null, page: page > 1 ? page : null },
      replaceUrl: true,
    });
    this.api
      .orders({
        status: this.status,
        from: dayBoundary(this.from, false),
        to: dayBoundary(this.to, true),
        q: this.customer.trim() || undefined,
        page,
        pageSize: 20,
      })
      .subscribe({
        next: (result) => {
          this.result.set(result);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(problemMessage(error));
          this.loading.set(false);
        },
      });
  }
}

import { CurrencyPipe, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Observable } from 'rxjs';
import { AuditDocument, Order, isCancellable } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { AdminApi } from '../admin-api.service';
import { Timeline } from './timeline';

@Component({
  selector: 'app-order-detail-page',
  imports: [RouterLink, CurrencyPipe, DatePipe, StatusBadge, Timeline],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/orders">← All orders</a></p>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (message()) { <p class="notice" role="status">{{ message() }}</p> }
    @if (order(); as o) {
      <h1>Order <code>{{ o.id.slice(0, 8) }}</code> <mer-status-badge [status]="o.status" /></h1>
      <section class="card stack" aria-label="Order details">
        <div><strong>Id:</strong>&ngsp;<code data-testid="order-id">{{ o.id }}</code></div>
        <div><strong>Customer:</strong>&ngsp;{{ o.customerId }}</div>
        <div><strong>Placed:</strong>&ngsp;{{ o.createdAt | date: 'medium' }} · <strong>Updated:</strong>&ngsp;{{ o.updatedAt | date: 'medium' }}</div>
        @if (o.rejectionReason) { <div><strong>Rejected because:</strong>&ngsp;{{ o.rejectionReason }}</div> }
        <table aria-label="Order lines">
          <thead><tr><th>SKU</th><th class="num">Quantity</th><th class="num">Unit price</th></tr></thead>
          <tbody>
            @for (line of o.lines; track line.sku) {
              <tr><td>{{ line.sku }}</td><td class="num">{{ line.quantity }}</td><td class="num">{{ line.unitPrice | currency: 'EUR' }}</td></tr>
            }
          </tbody>
        </table>
        <div><strong>Total: {{ o.total | currency: 'EUR' }}</strong></div>
        <div class="row">
          <button type="button" (click)="ship(o)" [disabled]="busy() || o.status !== 'confirmed'">Ship</button>
          <button type="button" class="danger" (click)="cancel(o)" [disabled]="busy() || !cancellable(o)">Cancel order</button>
          <button type="button" class="secondary" (click)="load()">Refresh</button>
        </div>
      </section>
      <h2>History</h2>
      @if (auditError()) { <p class="error" role="alert">{{ auditError() }}</p> }
      <app-timeline [documents]="history()" />
    } @else if (!error()) {
      <p class="loading" role="status">Loading order…</p>
    }
  `,
})
export class OrderDetailPage implements OnInit {
  private readonly api = inject(AdminApi);
  readonly id = input.required<string>();
  readonly order = signal<Order | null>(null);
  readonly history = signal<AuditDocument[]>([]);
  readonly error = signal('');
  readonly auditError = signal('');
  readonly message = signal('');
  readonly busy = signal(false);

  ngOnInit(): void {
    this.load();
  }

  cancellable(order: Order): boolean {
    return isCancellable(order.status);
  }

  load(): void {
    this.api.order(this.id()).subscribe({
      next: (order) => this.order.set(order),
      error: (error: unknown) => this.error.set(problemMessage(error)),
    });
    this.api.auditDocuments('order', { entityId: this.id(), pageSize: 100 }).subscribe({
      next: (page) => {
        this.history.set(page.items);
        this.auditError.set('');
      },
      error: (error: unknown) => this.auditError.set(problemMessage(error)),
    });
  }

  ship(order: Order): void {
    this.act(this.api.ship(order.id), 'Order shipped.');
  }

  cancel(order: Order): void {
    if (!window.confirm('Cancel this order? The customer is notified.')) return;
    this.act(this.api.cancel(order.id), 'Order cancelled.');
  }

  private act(call: Observable<Order>, done: string): void {
    this.busy.set(true);
    this.error.set('');
    this.message.set('');
    call.subscribe({
      next: (order) => {
        this.order.set(order);
        this.message.set(done);
        this.busy.set(false);
        this.load();
      },
      error: (error: unknown) => {
        this.error.set(problemMessage(error));
        this.busy.set(false);
      },
    });
  }
}

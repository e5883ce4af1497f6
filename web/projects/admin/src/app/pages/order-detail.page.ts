import { CurrencyPipe, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Observable } from 'rxjs';
import { AuditDocument, isCancellable } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { StatusBadge } from '@shared/status-badge';
import { AdminApi } from '../admin-api.service';
import { AdminOrder, customerLabel, lineLabel } from '../admin-models';
import { ConfirmService } from '../confirm';
import { SessionService } from '../session.service';
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
        <div data-testid="customer">
          <strong>Customer:</strong>&ngsp;<span data-testid="customer-name">{{ customer(o) }}</span>
          @if (o.customerEmail) { <span> · <a [href]="'mailto:' + o.customerEmail">{{ o.customerEmail }}</a></span> }
          <span class="muted"> · account <code>{{ o.customerId }}</code></span>
        </div>
        <div><strong>Placed:</strong>&ngsp;{{ o.createdAt | date: 'medium' }} · <strong>Updated:</strong>&ngsp;{{ o.updatedAt | date: 'medium' }}</div>
        @if (o.rejectionReason) { <div><strong>Rejected because:</strong>&ngsp;{{ o.rejectionReason }}</div> }
        @if (o.shortages?.length) {
          <ul aria-label="Shortages">
            @for (s of o.shortages; track s.sku) {
              <li>{{ s.requested }} × {{ s.name || s.sku }} asked, {{ s.available }} available</li>
            }
          </ul>
        }
        <table class="responsive" aria-label="Order lines">
          <thead><tr><th>Product</th><th>SKU</th><th class="num">Quantity</th><th class="num">Unit price</th></tr></thead>
          <tbody>
            @for (line of o.lines; track line.sku) {
              <tr>
                <td data-label="Product">{{ productName(line) }}</td>
                <td data-label="SKU"><code>{{ line.sku }}</code></td>
                <td data-label="Quantity" class="num">{{ line.quantity }}</td>
                <td data-label="Unit price" class="num">{{ line.unitPrice | currency: 'EUR' }}</td>
              </tr>
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
      <app-timeline [documents]="history()" [names]="names()" />
    } @else if (!error()) {
      <p class="loading" role="status">Loading order…</p>
    }
  `,
})
export class OrderDetailPage implements OnInit {
  private readonly api = inject(AdminApi);
  private readonly confirm = inject(ConfirmService);
  private readonly sessions = inject(SessionService);
  readonly id = input.required<string>();
  readonly order = signal<AdminOrder | null>(null);
  readonly history = signal<AuditDocument[]>([]);
  readonly error = signal('');
  readonly auditError = signal('');
  readonly message = signal('');
  readonly busy = signal(false);
  readonly customer = customerLabel;
  readonly productName = lineLabel;
  /** Actor ids in the history shown as people: the order's customer and the signed-in admin. */
  readonly names = computed(() => {
    const names: Record<string, string> = {};
    const me = this.sessions.me();
    if (me?.sub) names[me.sub] = `${me.username} (you)`;
    const o = this.order();
    if (o) names[o.customerId] = `${customerLabel(o)} (customer)`;
    return names;
  });

  ngOnInit(): void {
    this.load();
  }

  cancellable(order: AdminOrder): boolean {
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

  async ship(order: AdminOrder): Promise<void> {
    const ok = await this.confirm.ask({
      title: `Ship order ${order.id.slice(0, 8)}?`,
      message: `${customerLabel(order)} is told the order is on its way. A shipped order cannot be cancelled.`,
      confirmLabel: 'Ship order',
    });
    if (ok) this.act(this.api.ship(order.id), 'Order shipped.');
  }

  async cancel(order: AdminOrder): Promise<void> {
    const ok = await this.confirm.ask({
      title: `Cancel order ${order.id.slice(0, 8)}?`,
      message: `Its reserved stock is released and ${customerLabel(order)} is notified. This cannot be undone.`,
      confirmLabel: 'Cancel order',
      danger: true,
    });
    if (ok) this.act(this.api.cancel(order.id), 'Order cancelled.');
  }

  private act(call: Observable<AdminOrder>, done: string): void {
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

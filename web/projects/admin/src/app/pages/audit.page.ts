import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AuditDocument, AuditEvent, Paged } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { AdminApi } from '../admin-api.service';
import { Timeline } from './timeline';

@Component({
  selector: 'app-audit-page',
  imports: [FormsModule, DatePipe, JsonPipe, Timeline],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Audit</h1>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (message()) { <p class="notice" role="status">{{ message() }}</p> }

    <section class="card stack" aria-labelledby="docs-title">
      <h2 id="docs-title">Documents by entity</h2>
      <form class="row" (submit)="$event.preventDefault(); loadDocuments()">
        <label>Entity
          <select name="entity" [(ngModel)]="entity">
            <option value="order">Order</option>
            <option value="product">Product</option>
          </select>
        </label>
        <label>Entity id <input name="entityId" [(ngModel)]="entityId" placeholder="Order id or SKU" /></label>
        <button type="submit">Show history</button>
      </form>
      @if (documents(); as docs) {
        <app-timeline [documents]="docs.items" />
        <p class="muted">{{ docs.total }} document(s)</p>
      }
    </section>

    <section class="card stack" aria-labelledby="events-title">
      <h2 id="events-title">Event streams</h2>
      <form class="row" (submit)="$event.preventDefault(); loadEvents()">
        <label>Stream id <input name="streamId" [(ngModel)]="streamId" placeholder="Any stream" /></label>
        <label>Event type <input name="type" [(ngModel)]="type" placeholder="e.g. orders.order-created.v1" /></label>
        <button type="submit">Show events</button>
        <button type="button" class="secondary" (click)="replay()" [disabled]="busy()">
          Replay {{ streamId ? 'this stream' : 'all streams' }}
        </button>
      </form>
      @if (events(); as page) {
        @if (page.items.length === 0) {
          <p class="empty">No events.</p>
        } @else {
          <table class="responsive" aria-label="Events">
            <thead><tr><th>When</th><th>Stream</th><th class="num">Position</th><th>Type</th><th>Data</th></tr></thead>
            <tbody>
              @for (e of page.items; track e.messageId + e.streamPosition) {
                <tr>
                  <td data-label="When">{{ e.occurredAt | date: 'medium' }}</td>
                  <td data-label="Stream"><button type="button" class="secondary" (click)="streamId = e.streamId; loadEvents()" [attr.aria-label]="'Show the events of ' + e.streamId">{{ e.streamId }}</button></td>
                  <td data-label="Position" class="num">{{ e.streamPosition }}</td>
                  <td data-label="Type">{{ e.type }}</td>
                  <td data-label="Data"><details><summary>Data</summary><pre>{{ e.data | json }}</pre></details></td>
                </tr>
              }
            </tbody>
          </table>
          <p class="muted">{{ page.total }} event(s)</p>
        }
      }
    </section>
  `,
  styles: `pre { white-space: pre-wrap; word-break: break-word; font-size: 0.8rem; }`,
})
export class AuditPage {
  private readonly api = inject(AdminApi);
  entity: 'order' | 'product' = 'order';
  entityId = '';
  streamId = '';
  type = '';
  readonly documents = signal<Paged<AuditDocument> | null>(null);
  readonly events = signal<Paged<AuditEvent> | null>(null);
  readonly error = signal('');
  readonly message = signal('');
  readonly busy = signal(false);

  loadDocuments(): void {
    this.error.set('');
    this.api.auditDocuments(this.entity, { entityId: this.entityId.trim() || undefined, pageSize: 100 }).subscribe({
      next: (page) => this.documents.set(page),
      error: (error: unknown) => this.error.set(problemMessage(error)),
    });
  }

  loadEvents(): void {
    this.error.set('');
    this.api.auditEvents({ streamId: this.streamId.trim() || undefined, type: this.type.trim() || undefined, pageSize: 50 }).subscribe({
      next: (page) => this.events.set(page),
      error: (error: unknown) => this.error.set(problemMessage(error)),
    });
  }

  replay(): void {
    this.busy.set(true);
    this.error.set('');
    this.message.set('');
    this.api.replay(this.streamId.trim() || undefined).subscribe({
      next: (result) => {
        this.busy.set(false);
        this.message.set(`Replayed ${result.replayed} event(s) into the audit documents.`);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.error.set(problemMessage(error));
      },
    });
  }
}

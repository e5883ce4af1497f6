import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AuditDocument, AuditEvent, Paged } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { AdminApi } from '../admin-api.service';
import { ConfirmService } from '../confirm';
import { eventLabel, eventTypes } from '../event-labels';
import { Timeline } from './timeline';

export const EVENTS_PAGE_SIZE = 25;

/** Pages of a paged answer (at least 1). */
export function pageCount(page: Paged<unknown>): number {
  return Math.max(1, Math.ceil(page.total / page.pageSize));
}

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
      <form class="row" (submit)="$event.preventDefault(); loadEvents(1)">
        <label>Stream id <input name="streamId" [(ngModel)]="streamId" placeholder="Any stream" /></label>
        <label>Event type
          <select name="type" [(ngModel)]="type">
            <option value="">Any event</option>
            @for (t of types; track t.type) { <option [value]="t.type">{{ t.label }}</option> }
          </select>
        </label>
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
            <thead><tr><th>When</th><th>Event</th><th>Stream</th><th class="num">Position</th><th>Data</th></tr></thead>
            <tbody>
              @for (e of page.items; track e.messageId + e.streamPosition) {
                <tr [attr.data-type]="e.type">
                  <td data-label="When">{{ e.occurredAt | date: 'medium' }}</td>
                  <td data-label="Event"><span class="event">{{ label(e.type) }}</span>&ngsp;<code class="muted type">{{ e.type }}</code></td>
                  <td data-label="Stream"><button type="button" class="link" (click)="streamId = e.streamId; loadEvents(1)" [attr.aria-label]="'Show the events of ' + e.streamId">{{ e.streamId }}</button></td>
                  <td data-label="Position" class="num">{{ e.streamPosition }}</td>
                  <td data-label="Data"><details><summary>Data</summary><pre>{{ e.data | json }}</pre></details></td>
                </tr>
              }
            </tbody>
          </table>
          <nav class="row pager" aria-label="Event pages">
            <button type="button" class="secondary" (click)="loadEvents(page.page - 1)" [disabled]="page.page <= 1">Previous</button>
            <span data-testid="events-page">Page {{ page.page }} of {{ pages(page) }} ({{ page.total }} events)</span>
            <button type="button" class="secondary" (click)="loadEvents(page.page + 1)" [disabled]="page.page >= pages(page)">Next</button>
          </nav>
        }
      }
    </section>
  `,
  styles: `
    pre { white-space: pre-wrap; word-break: break-word; font-size: 0.8rem; }
    .type { display: block; font-size: 0.75rem; }
    .pager { align-items: center; }
    button.link { background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; text-align: left; overflow-wrap: anywhere; }
  `,
})
export class AuditPage {
  private readonly api = inject(AdminApi);
  private readonly confirm = inject(ConfirmService);
  readonly types = eventTypes;
  readonly label = eventLabel;
  readonly pages = pageCount;
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

  loadEvents(page: number): void {
    this.error.set('');
    this.api
      .auditEvents({ streamId: this.streamId.trim() || undefined, type: this.type || undefined, page: Math.max(1, page), pageSize: EVENTS_PAGE_SIZE })
      .subscribe({
        next: (result) => this.events.set(result),
        error: (error: unknown) => this.error.set(problemMessage(error)),
      });
  }

  async replay(): Promise<void> {
    const stream = this.streamId.trim();
    const ok = await this.confirm.ask({
      title: stream ? `Replay stream ${stream}?` : 'Replay all streams?',
      message: stream
        ? 'The audit documents of this stream are rebuilt from its recorded events.'
        : 'Every audit document is rebuilt from the recorded events. This can take a while on a large store.',
      confirmLabel: stream ? 'Replay this stream' : 'Replay all streams',
    });
    if (!ok) return;
    this.busy.set(true);
    this.error.set('');
    this.message.set('');
    this.api.replay(stream || undefined).subscribe({
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

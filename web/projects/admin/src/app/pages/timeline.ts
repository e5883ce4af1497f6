import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { AuditDocument } from '@shared/models';
import { actorLabel, eventLabel } from '../event-labels';

/** `orders.order-confirmed.v1` → `Order confirmed` (kept under its old name for the pages that import it). */
export const actionLabel = eventLabel;

/** An entity's audit history, oldest first, as an ordered list. */
@Component({
  selector: 'app-timeline',
  imports: [DatePipe, JsonPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (entries().length === 0) {
      <p class="empty">No audit entries yet.</p>
    } @else {
      <ol class="timeline" aria-label="Audit timeline">
        @for (entry of entries(); track entry.id) {
          <li [attr.data-action]="entry.action">
            <div class="when"><time [attr.datetime]="entry.timestamp">{{ entry.timestamp | date: 'medium' }}</time></div>
            <div class="what"><strong>{{ label(entry.action) }}</strong>&ngsp;<span class="muted">by {{ actor(entry.actor) }}</span></div>
            <details><summary>Details</summary><pre>{{ entry.payload | json }}</pre></details>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    .timeline { list-style: none; margin: 0; padding: 0 0 0 1.25rem; border-left: 3px solid #8a94a3; }
    .timeline li { position: relative; padding: 0 0 1rem 0.75rem; }
    .timeline li::before { content: ''; position: absolute; left: -1.85rem; top: 0.3rem; width: 0.9rem; height: 0.9rem; border-radius: 50%; background: #1849a9; border: 2px solid #fff; }
    
    .when { font-size: 0.85rem; color: #4a5360; }
    pre { white-space: pre-wrap; word-break: break-word; font-size: 0.8rem; background: #f0f2f5; padding: 0.5rem; border-radius: 6px; }
  `,
})
export class Timeline {
  readonly documents = input.required<AuditDocument[]>();
  /** Names of the people behind actor ids (e.g. the order's customer, the signed-in admin). */
  readonly names = input<Record<string, string>>({});
  readonly entries = computed(() =>
    [...this.documents()].sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id.localeCompare(b.id)),
  );
  readonly label = eventLabel;

  actor(id: string): string {
    return actorLabel(id, this.names());
  }
}

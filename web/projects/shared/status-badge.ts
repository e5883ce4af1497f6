import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { OrderStatus, statusLabel } from './models';

/** An order status as text plus colour (colour never carries the meaning alone). */
@Component({
  selector: 'mer-status-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge badge-' + status()" [attr.data-status]="status()">{{ label() }}</span>`,
  styles: `
    .badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; border: 1px solid currentColor; }
    .badge-pending { color: #7a4b00; background: #fff4d6; }
    .badge-confirmed { color: #0b5a2a; background: #e3f6e9; }
    .badge-shipped { color: #123f86; background: #e4edfc; }
    .badge-rejected, .badge-cancelled { color: #8a1c1c; background: #fde8e8; }
  `,
})
export class StatusBadge {
  readonly status = input.required<OrderStatus>();
  readonly label = computed(() => statusLabel(this.status()));
}

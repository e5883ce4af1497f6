import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { HourFigures } from '../../admin-models';

export interface HourBar extends HourFigures {
  /** "09" (UTC hour of day). */
  label: string;
}

const HOUR_MS = 3_600_000;

/** The period's hours in order, one bar each (hours without orders included, as zero). */
export function hourBars(from: string, to: string, perHour: HourFigures[]): HourBar[] {
  const start = Math.floor(Date.parse(from) / HOUR_MS) * HOUR_MS;
  const end = Date.parse(to);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return [];
  const byHour = new Map(perHour.map((h) => [Math.floor(Date.parse(h.hour) / HOUR_MS) * HOUR_MS, h]));
  const bars: HourBar[] = [];
  for (let t = start; t < end && bars.length < 24 * 31; t += HOUR_MS) {
    const figures = byHour.get(t);
    bars.push({
      hour: new Date(t).toISOString(),
      orders: figures?.orders ?? 0,
      revenue: figures?.revenue ?? 0,
      label: String(new Date(t).getUTCHours()).padStart(2, '0'),
    });
  }
  return bars;
}

/** A tidy axis maximum: 1, 2, 5 × 10^n at or above the largest value (at least 1). */
export function axisMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((f) => f * magnitude).find((m) => m >= value) ?? value;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/** Orders per hour as an SVG bar chart, with the same figures as a table for screen readers. */
@Component({
  selector: 'app-hourly-chart',
  imports: [CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="chart">
      <svg [attr.viewBox]="'0 0 ' + width + ' ' + height" role="img" [attr.aria-label]="summary()" preserveAspectRatio="none" data-testid="hourly-chart">
        <line class="axis" [attr.x1]="pad.left" [attr.x2]="width - pad.right" [attr.y1]="baseline" [attr.y2]="baseline" />
        <line class="grid" [attr.x1]="pad.left" [attr.x2]="width - pad.right" [attr.y1]="pad.top" [attr.y2]="pad.top" />
        <text class="tick" [attr.x]="pad.left - 6" [attr.y]="pad.top + 4" text-anchor="end">{{ max() }}</text>
        <text class="tick" [attr.x]="pad.left - 6" [attr.y]="baseline + 4" text-anchor="end">0</text>
        @for (bar of bars(); track bar.hour; let i = $index) {
          <g [attr.data-hour]="bar.label" [attr.data-orders]="bar.orders">
            <rect class="bar" [attr.x]="x(i) + 2" [attr.width]="slot() - 4" [attr.y]="y(bar.orders)" [attr.height]="baseline - y(bar.orders)">
              <title>{{ bar.label }}:00 UTC: {{ bar.orders }} order(s)</title>
            </rect>
            @if (i % labelEvery() === 0) {
              <text class="tick" [attr.x]="x(i) + slot() / 2" [attr.y]="height - 8" text-anchor="middle">{{ bar.label }}</text>
            }
          </g>
        }
      </svg>
      <figcaption class="muted">Orders per hour (UTC); hover a bar for its figure.</figcaption>
    </figure>
    <table class="sr-only" aria-label="Orders per hour">
      <thead><tr><th>Hour (UTC)</th><th>Orders</th><th>Revenue</th></tr></thead>
      <tbody>
        @for (bar of busyHours(); track bar.hour) {
          <tr><td>{{ bar.label }}:00</td><td>{{ bar.orders }}</td><td>{{ bar.revenue | currency: 'EUR' }}</td></tr>
        }
      </tbody>
    </table>
  `,
  styles: `
    .chart { margin: 0; }
    svg { width: 100%; height: 14rem; display: block; }
    .bar { fill: var(--accent); }
    .axis { stroke: #8a94a3; stroke-width: 1; }
    .grid { stroke: var(--line); stroke-dasharray: 4 4; }
    .tick { font-size: 12px; fill: var(--muted); }
    figcaption { font-size: 0.85rem; margin-top: 0.25rem; }
  `,
})
export class HourlyChart {
  readonly from = input.required<string>();
  readonly to = input.required<string>();
  readonly perHour = input.required<HourFigures[]>();

  readonly width = WIDTH;
  readonly height = HEIGHT;
  readonly pad = PAD;
  readonly baseline = HEIGHT - PAD.bottom;

  readonly bars = computed(() => hourBars(this.from(), this.to(), this.perHour()));
  readonly busyHours = computed(() => this.bars().filter((b) => b.orders > 0));
  readonly max = computed(() => axisMax(Math.max(0, ...this.bars().map((b) => b.orders))));
  readonly slot = computed(() => (WIDTH - PAD.left - PAD.right) / Math.max(1, this.bars().length));
  readonly labelEvery = computed(() => Math.max(1, Math.ceil(this.bars().length / 8)));
  readonly summary = computed(() => {
    const busy = this.busyHours();
    if (busy.length === 0) return 'Orders per hour: no orders in this period.';
    const peak = busy.reduce((a, b) => (b.orders > a.orders ? b : a));
    const total = busy.reduce((n, b) => n + b.orders, 0);
    return `Orders per hour: ${total} order(s) in ${busy.length} hour(s); busiest ${peak.label}:00 UTC with ${peak.orders}.`;
  });

  x(index: number): number {
    return PAD.left + index * this.slot();
  }

  y(orders: number): number {
    return this.baseline - (orders / this.max()) * (this.baseline - PAD.top);
  }
}

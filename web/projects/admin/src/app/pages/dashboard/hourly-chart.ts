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

/** Bar width in the SVG's own units; the SVG stretches to its box, so text lives in HTML around it. */
const SLOT = 10;
const HEIGHT = 100;

/** Orders per hour as an SVG bar chart (axis text in HTML, crisp at any width), and as a table for screen readers. */
@Component({
  selector: 'app-hourly-chart',
  imports: [CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="chart">
      <div class="plot">
        <div class="y-axis" aria-hidden="true"><span>{{ max() }}</span><span>0</span></div>
        <svg [attr.viewBox]="'0 0 ' + bars().length * slot + ' ' + height" preserveAspectRatio="none" role="img" [attr.aria-label]="summary()" data-testid="hourly-chart">
          <line class="grid" x1="0" [attr.x2]="bars().length * slot" y1="0.5" y2="0.5" vector-effect="non-scaling-stroke" />
          @for (bar of bars(); track bar.hour; let i = $index) {
            <g [attr.data-hour]="bar.label" [attr.data-orders]="bar.orders">
              <rect class="bar" [attr.x]="i * slot + 1.5" [attr.width]="slot - 3" [attr.y]="height - barHeight(bar.orders)" [attr.height]="barHeight(bar.orders)">
                <title>{{ bar.label }}:00 UTC: {{ bar.orders }} order(s)</title>
              </rect>
            </g>
          }
          <line class="axis" x1="0" [attr.x2]="bars().length * slot" [attr.y1]="height" [attr.y2]="height" vector-effect="non-scaling-stroke" />
        </svg>
        <span></span>
        <div class="x-axis" aria-hidden="true">
          @for (bar of bars(); track bar.hour; let i = $index) { <span>{{ i % labelEvery() === 0 ? bar.label : '' }}</span> }
        </div>
      </div>
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
    .plot { display: grid; grid-template-columns: auto 1fr; gap: 0.2rem 0.4rem; }
    .y-axis { display: flex; flex-direction: column; justify-content: space-between; font-size: 0.8rem; color: var(--muted); text-align: right; }
    .y-axis span { line-height: 1; }
    svg { width: 100%; height: 12rem; display: block; overflow: visible; }
    .bar { fill: var(--accent); }
    .axis { stroke: #8a94a3; stroke-width: 1; }
    .grid { stroke: var(--line); stroke-width: 1; stroke-dasharray: 4 4; }
    .x-axis { display: flex; font-size: 0.8rem; color: var(--muted); }
    .x-axis span { flex: 1 1 0; min-width: 0; overflow: visible; white-space: nowrap; }
    figcaption { font-size: 0.85rem; margin-top: 0.25rem; }
  `,
})
export class HourlyChart {
  readonly from = input.required<string>();
  readonly to = input.required<string>();
  readonly perHour = input.required<HourFigures[]>();

  readonly slot = SLOT;
  readonly height = HEIGHT;

  readonly bars = computed(() => hourBars(this.from(), this.to(), this.perHour()));
  readonly busyHours = computed(() => this.bars().filter((b) => b.orders > 0));
  readonly max = computed(() => axisMax(Math.max(0, ...this.bars().map((b) => b.orders))));
  readonly labelEvery = computed(() => Math.max(1, Math.ceil(this.bars().length / 8)));
  readonly summary = computed(() => {
    const busy = this.busyHours();
    if (busy.length === 0) return 'Orders per hour: no orders in this period.';
    const peak = busy.reduce((a, b) => (b.orders > a.orders ? b : a));
    const total = busy.reduce((n, b) => n + b.orders, 0);
    return `Orders per hour: ${total} order(s) in ${busy.length} hour(s); busiest ${peak.label}:00 UTC with ${peak.orders}.`;
  });

  /** Bar height in SVG units (the top of the box is the axis maximum). */
  barHeight(orders: number): number {
    return (orders / this.max()) * HEIGHT;
  }
}

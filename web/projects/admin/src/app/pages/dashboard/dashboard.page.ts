import { CurrencyPipe, DatePipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Product } from '@shared/models';
import { problemMessage } from '@shared/problem';
import { AdminApi, itemsOf } from '../../admin-api.service';
import { OrderStats } from '../../admin-models';
import { HourlyChart } from './hourly-chart';

/** One panel's answer: loading, its value, or what went wrong (panels load and fail independently). */
type Panel<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

/** The landing page: today's orders at a glance, stock running low, messages waiting for an operator. */
@Component({
  selector: 'app-dashboard-page',
  imports: [RouterLink, CurrencyPipe, DatePipe, PercentPipe, HourlyChart],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage implements OnInit {
  private readonly api = inject(AdminApi);
  readonly stats = signal<Panel<OrderStats>>({ state: 'loading' });
  readonly lowStock = signal<Panel<{ items: Product[]; total: number }>>({ state: 'loading' });
  readonly deadLetters = signal<Panel<number>>({ state: 'loading' });
  readonly loadedAt = signal<Date | null>(null);

  ngOnInit(): void {
    this.load();
  }

  load(): void {
    this.api.orderStats().subscribe({
      next: (value) => {
        this.stats.set({ state: 'ready', value });
        this.loadedAt.set(new Date());
      },
      error: (error: unknown) => this.stats.set({ state: 'error', message: problemMessage(error) }),
    });
    this.api.products({ lowStock: true, pageSize: 8 }).subscribe({
      next: (page) => this.lowStock.set({ state: 'ready', value: { items: [...page.items].sort((a, b) => a.available - b.available), total: page.total } }),
      error: (error: unknown) => this.lowStock.set({ state: 'error', message: problemMessage(error) }),
    });
    this.api.deadLetters().subscribe({
      next: (value) => this.deadLetters.set({ state: 'ready', value: Array.isArray(value) ? value.length : value.total ?? itemsOf(value).length }),
      error: (error: unknown) => this.deadLetters.set({ state: 'error', message: problemMessage(error) }),
    });
  }
}

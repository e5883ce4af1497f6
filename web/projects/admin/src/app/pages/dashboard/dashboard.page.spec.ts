import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { OrderStats } from '../../admin-models';
import { adminSessionProviders } from '../../testing';
import { DashboardPage } from './dashboard.page';
import { axisMax, hourBars } from './hourly-chart';

const stats: OrderStats = {
  from: '2026-12-03T00:00:00.000Z',
  to: '2026-12-04T00:00:00.000Z',
  orders: 5,
  confirmed: 2,
  rejected: 1,
  cancelled: 1,
  shipped: 1,
  pending: 0,
  revenue: 75,
  confirmationRate: 0.6,
  rejectionRate: 0.2,
  perHour: [
    { hour: '2026-12-03T09:00:00.000Z', orders: 2, revenue: 25 },
    { hour: '2026-12-03T13:00:00.000Z', orders: 3, revenue: 50 },
  ],
};
const mug = { sku: 'MUG-1', name: 'Stoneware mug', price: 12.5, onHand: 3, reserved: 1, available: 2, lowStockThreshold: 5, updatedAt: '' };

describe('DashboardPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [DashboardPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
  });

  function text(fixture: { nativeElement: HTMLElement }, testId: string): string {
    return fixture.nativeElement.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() ?? '';
  }

  it("when today's figures, low-stock products and dead letters load, then each panel shows them", async () => {
    const fixture = TestBed.createComponent(DashboardPage);
    await fixture.whenStable();
    http.expectOne('/api/orders/stats').flush(stats);
    const low = http.expectOne((r) => r.url === '/api/inventory/products');
    expect(low.request.params.get('lowStock')).toBe('true');
    low.flush({ items: [mug], page: 1, pageSize: 8, total: 1 });
    http.expectOne('/api/notifications/dead-letters').flush([{ id: 'd1', kind: 'dead-letter', title: 't', body: 'b', read: false, createdAt: '' }]);
    await fixture.whenStable();

    expect(text(fixture, 'kpi-orders')).toBe('5');
    expect(text(fixture, 'kpi-revenue')).toBe('€75.00');
    expect(text(fixture, 'kpi-confirmation-rate')).toBe('60%');
    expect(text(fixture, 'kpi-rejection-rate')).toBe('20%');
    expect(text(fixture, 'kpi-dead-letters')).toBe('1');
    expect(fixture.nativeElement.querySelector('[data-testid="low-stock"] li[data-sku="MUG-1"]').textContent).toContain('2 left');

    const bars = [...fixture.nativeElement.querySelectorAll('[data-testid="hourly-chart"] g[data-hour]')] as Element[];
    expect(bars).toHaveLength(24);
    expect(bars.map((g) => Number(g.getAttribute('data-orders'))).reduce((a, b) => a + b, 0)).toBe(5);
    expect(bars.find((g) => g.getAttribute('data-hour') === '13')?.getAttribute('data-orders')).toBe('3');
    expect(fixture.nativeElement.querySelector('svg').getAttribute('aria-label')).toContain('busiest 13:00 UTC with 3');
  });

  it('when the figures cannot be loaded, then that panel says so and the others still show', async () => {
    const fixture = TestBed.createComponent(DashboardPage);
    await fixture.whenStable();
    http.expectOne('/api/orders/stats').flush({ title: 'Service unavailable', status: 503, detail: 'Orders is restarting.' }, { status: 503, statusText: 'Service Unavailable' });
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [], page: 1, pageSize: 8, total: 0 });
    http.expectOne('/api/notifications/dead-letters').flush({ items: [], page: 1, pageSize: 20, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="alert"]').textContent).toContain('Orders is restarting.');
    expect(text(fixture, 'kpi-dead-letters')).toBe('0');
    expect(fixture.nativeElement.textContent).toContain('Every product is above its low-stock threshold.');
  });
});

describe('hourly chart', () => {
  it('when some hours had no orders, then every hour of the period still gets its (zero) bar', () => {
    const bars = hourBars(stats.from, stats.to, stats.perHour);
    expect(bars).toHaveLength(24);
    expect(bars[0]).toEqual({ hour: '2026-12-03T00:00:00.000Z', orders: 0, revenue: 0, label: '00' });
    expect(bars[9]).toMatchObject({ label: '09', orders: 2, revenue: 25 });
    expect(hourBars('not a date', stats.to, [])).toEqual([]);
  });

  it('when the busiest hour has n orders, then the axis ends at a round number at or above n', () => {
    expect([0, 1, 3, 7, 12, 51].map(axisMax)).toEqual([1, 1, 5, 10, 20, 100]);
  });
});

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { adminSessionProviders } from '../testing';
import { OrdersPage, dayBoundary } from './orders.page';

describe('admin OrdersPage', () => {
  it('when a day is picked, then the search covers that whole UTC day', () => {
    expect(dayBoundary('2026-11-25', false)).toBe('2026-11-25T00:00:00.000Z');
    expect(dayBoundary('2026-11-25', true)).toBe('2026-11-25T23:59:59.999Z');
    expect(dayBoundary('', false)).toBeUndefined();
  });

  it('when searching by status and dates, then the query carries them and an empty answer shows the empty state', async () => {
    TestBed.configureTestingModule({
      imports: [OrdersPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/orders').flush({ items: [], page: 1, pageSize: 20, total: 0 });

    const page = fixture.componentInstance;
    page.status = 'confirmed';
    page.from = '2026-11-01';
    page.to = '2026-11-30';
    page.search(1);
    const request = http.expectOne((r) => r.url === '/api/orders');
    expect(request.request.params.get('status')).toBe('confirmed');
    expect(request.request.params.get('from')).toBe('2026-11-01T00:00:00.000Z');
    expect(request.request.params.get('to')).toBe('2026-11-30T23:59:59.999Z');
    expect(request.request.params.has('q')).toBe(false);
    request.flush({ items: [], page: 1, pageSize: 20, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('No orders match these filters.');
  });

  it('when searching for a customer by name, then the query carries q and the rows show names (the id only for older orders)', async () => {
    TestBed.configureTestingModule({
      imports: [OrdersPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/orders').flush({ items: [], page: 1, pageSize: 20, total: 0 });

    fixture.componentInstance.customer = ' Alice ';
    fixture.componentInstance.search(1);
    const request = http.expectOne((r) => r.url === '/api/orders');
    expect(request.request.params.get('q')).toBe('Alice');
    const base = { status: 'confirmed', lines: [], total: 25, createdAt: '2026-12-03T10:00:00Z', updatedAt: '2026-12-03T10:00:00Z' };
    request.flush({
      items: [
        { ...base, id: 'a0000000-0000-4000-8000-000000000001', customerId: 'sub-alice', customerName: 'Alice Liddell', customerEmail: 'alice@example.test' },
        { ...base, id: 'a0000000-0000-4000-8000-000000000002', customerId: 'sub-old', customerName: '' },
      ],
      page: 1,
      pageSize: 20,
      total: 2,
    });
    await fixture.whenStable();
    const customers = [...fixture.nativeElement.querySelectorAll('td[data-label="Customer"]')].map((td: HTMLElement) => td.textContent?.replace(/\s+/g, ' ').trim());
    expect(customers).toEqual(['Alice Liddell alice@example.test', 'sub-old']);
  });
});

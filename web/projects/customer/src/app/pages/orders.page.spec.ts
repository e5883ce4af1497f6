import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Subject } from 'rxjs';
import { Order } from '@shared/models';
import { NotificationStream, StreamEvent } from '../notification-stream.service';
import { signedInProviders } from '../testing';
import { OrdersPage } from './orders.page';

function order(id: string, status: Order['status']): Order {
  return {
    id,
    customerId: 'alice',
    status,
    lines: [{ sku: 'MUG-1', quantity: 1, unitPrice: 12.5 }],
    total: 12.5,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
  };
}

describe('OrdersPage', () => {
  let events: Subject<StreamEvent>;
  let http: HttpTestingController;

  beforeEach(() => {
    events = new Subject<StreamEvent>();
    TestBed.configureTestingModule({
      imports: [OrdersPage],
      providers: [
        ...signedInProviders(),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: NotificationStream, useValue: { events$: events.asObservable() } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  function statusOf(fixture: { nativeElement: HTMLElement }, id: string): string | null | undefined {
    return fixture.nativeElement.querySelector(`tr[data-order-id="${id}"] [data-status]`)?.getAttribute('data-status');
  }

  it('when there are no orders, then the empty state is shown after loading', async () => {
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('Loading your orders');
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [], page: 1, pageSize: 50, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('You have no orders yet');
  });

  it('when a notification about an order arrives, then that order is fetched again and its new status shown and announced', async () => {
    const id = '6f0c5a52-96a8-4b43-9a0b-3a7f0c8a1e11';
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [order(id, 'pending')], page: 1, pageSize: 50, total: 1 });
    await fixture.whenStable();
    expect(statusOf(fixture, id)).toBe('pending');

    events.next({
      type: 'notification',
      notification: { id: 'n1', kind: 'order-confirmed', title: 'Order confirmed', body: '', orderId: id, read: false, createdAt: '' },
    });
    http.expectOne(`/api/orders/${id}`).flush(order(id, 'confirmed'));
    await fixture.whenStable();
    expect(statusOf(fixture, id)).toBe('confirmed');
    expect(fixture.nativeElement.querySelector('[data-testid="live-announcement"]').textContent).toContain('is now confirmed');
  });

  it('when the order is cancellable, then Cancel posts the cancel and shows the answer; shipped orders offer no Cancel', async () => {
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http
      .expectOne((r) => r.url === '/api/orders/mine')
      .flush({ items: [order('a-1', 'confirmed'), order('b-2', 'shipped')], page: 1, pageSize: 50, total: 2 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('tr[data-order-id="b-2"] button')).toBeNull();
    (fixture.nativeElement.querySelector('tr[data-order-id="a-1"] button') as HTMLButtonElement).click();
    const request = http.expectOne('/api/orders/a-1/cancel');
    expect(request.request.method).toBe('POST');
    request.flush(order('a-1', 'cancelled'));
    await fixture.whenStable();
    expect(statusOf(fixture, 'a-1')).toBe('cancelled');
  });

  it('when the stream (re)connects, then the list is refetched so that nothing missed stays stale', async () => {
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [order('a-1', 'pending')], page: 1, pageSize: 50, total: 1 });
    events.next({ type: 'open' });
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [order('a-1', 'rejected')], page: 1, pageSize: 50, total: 1 });
    await fixture.whenStable();
    expect(statusOf(fixture, 'a-1')).toBe('rejected');
  });
});

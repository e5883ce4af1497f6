import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { NotificationStream, StreamEvent } from '../notification-stream.service';
import { order, signedInProviders } from '../testing';
import { OrdersPage } from './orders.page';

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
        provideRouter([]),
        { provide: NotificationStream, useValue: { events$: events.asObservable() } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  function statusOf(fixture: { nativeElement: HTMLElement }, id: string): string | null | undefined {
    return fixture.nativeElement.querySelector(`li[data-order-id="${id}"] [data-status]`)?.getAttribute('data-status');
  }

  it('when there are no orders, then the empty state is shown after loading', async () => {
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('Loading your orders');
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [], page: 1, pageSize: 50, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('You have no orders yet');
  });

  it('when orders load, then each shows product names (not skus), a link to its page and its outcome in words', async () => {
    const fixture = TestBed.createComponent(OrdersPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ items: [order('a-1', 'confirmed')], page: 1, pageSize: 50, total: 1 });
    await fixture.whenStable();
    const card = fixture.nativeElement.querySelector('li[data-order-id="a-1"]') as HTMLElement;
    expect(card.textContent).toContain('1 × Hand burr grinder');
    expect(card.textContent).not.toContain('GRIND-1');
    expect(card.querySelector('a')?.getAttribute('href')).toBe('/orders/a-1');
    expect(card.textContent).toContain('Your order is confirmed');
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

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { CartService } from '../cart.service';
import { NotificationStream, StreamEvent } from '../notification-stream.service';
import { order, signedInProviders } from '../testing';
import { OrderDetailPage } from './order-detail.page';

describe('OrderDetailPage', () => {
  let events: Subject<StreamEvent>;
  let http: HttpTestingController;

  beforeEach(() => {
    history.replaceState(null, '');
    localStorage.clear();
    events = new Subject<StreamEvent>();
    TestBed.configureTestingModule({
      imports: [OrderDetailPage],
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

  async function open(id: string, answer = order(id, 'pending')): Promise<ComponentFixture<OrderDetailPage>> {
    const fixture = TestBed.createComponent(OrderDetailPage);
    fixture.componentRef.setInput('id', id);
    await fixture.whenStable();
    http.expectOne(`/api/orders/${id}`).flush(answer);
    http.expectOne((r) => r.url === '/api/notifications').flush({ items: [], page: 1, pageSize: 100, total: 0 });
    for (const r of http.match((r) => r.url.startsWith('/api/catalogue/items/'))) r.flush({ image: '/products/grinder.svg' });
    await fixture.whenStable();
    return fixture;
  }

  const text = (fixture: ComponentFixture<OrderDetailPage>, selector: string) =>
    (fixture.nativeElement.querySelector(selector) as HTMLElement | null)?.textContent?.trim() ?? null;

  it('when opened right after checkout, then the thank-you shows for that order only, and Dismiss removes it', async () => {
    history.replaceState({ placed: 'o-1' }, '');
    const fixture = await open('o-1');
    expect(text(fixture, '[data-testid="thank-you"]')).toContain('Thank you');
    (fixture.nativeElement.querySelector('[data-testid="thank-you"] button') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(text(fixture, '[data-testid="thank-you"]')).toBeNull();
    expect((history.state as { placed?: string }).placed).toBeUndefined();
    fixture.destroy();

    history.replaceState({ placed: 'o-1' }, '');
    const other = await open('o-2');
    expect(text(other, '[data-testid="thank-you"]')).toBeNull();
  });

  it('when the order is rejected for lack of stock, then the outcome names the product and the shortfall in plain words', async () => {
    const fixture = await open('o-3');
    expect(text(fixture, '[data-testid="order-outcome"]')).toContain('reserving your items');
    events.next({ type: 'notification', notification: { id: 'n1', kind: 'order-rejected', title: 'Order rejected', body: '', orderId: 'o-3', read: false, createdAt: '2026-11-25T10:00:01.000Z' } });
    http.expectOne('/api/orders/o-3').flush(
      order('o-3', 'rejected', {
        lines: [{ sku: 'GRIND-1', name: 'Hand burr grinder', quantity: 5, unitPrice: 89 }],
        shortages: [{ sku: 'GRIND-1', name: 'Hand burr grinder', requested: 5, available: 3 }],
        rejectionReason: 'insufficient stock for GRIND-1',
      }),
    );
    await fixture.whenStable();
    expect(text(fixture, '[data-testid="order-outcome"]')).toBe(
      'We could not reserve 5 × Hand burr grinder: only 3 left. Your order was not placed; nothing was charged.',
    );
    expect(fixture.nativeElement.textContent).not.toContain('GRIND-1');
    const steps = [...fixture.nativeElement.querySelectorAll('ol.timeline li')].map((li) => (li as HTMLElement).dataset['state']);
    expect(steps).toEqual(['done', 'failed']);
  });

  it('when an order was refused for lack of stock, then what was available can be put back in the cart in one click', async () => {
    const fixture = await open(
      'o-5',
      order('o-5', 'rejected', {
        lines: [
          { sku: 'GRIND-1', name: 'Hand burr grinder', quantity: 3, unitPrice: 89 },
          { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 12.5 },
          { sku: 'TEA-2', name: 'Tea', quantity: 1, unitPrice: 3.1 },
        ],
        shortages: [
          { sku: 'GRIND-1', name: 'Hand burr grinder', requested: 3, available: 2 },
          { sku: 'TEA-2', name: 'Tea', requested: 1, available: 0 },
        ],
      }),
    );
    (fixture.nativeElement.querySelector('[data-testid="refill-cart"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    const cart = TestBed.inject(CartService);
    expect(cart.lines().map((l) => [l.sku, l.quantity])).toEqual([
      ['GRIND-1', 2],
      ['MUG-1', 2],
    ]);
    expect(fixture.nativeElement.textContent).toContain('4 items put in your cart.');
  });

  it('when the order may be cancelled, then Cancel posts it and the page shows it cancelled', async () => {
    const fixture = await open('o-4', order('o-4', 'confirmed'));
    const button = [...fixture.nativeElement.querySelectorAll('button')].find((b) => (b as HTMLElement).textContent?.includes('Cancel order')) as HTMLButtonElement;
    button.click();
    const request = http.expectOne('/api/orders/o-4/cancel');
    expect(request.request.method).toBe('POST');
    request.flush(order('o-4', 'cancelled'));
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-status]').getAttribute('data-status')).toBe('cancelled');
    expect(fixture.nativeElement.textContent).not.toContain('Cancel order');
  });

  it('when the order is not the customer\'s, then a plain "not found" is shown', async () => {
    const fixture = TestBed.createComponent(OrderDetailPage);
    fixture.componentRef.setInput('id', 'x-1');
    await fixture.whenStable();
    http.expectOne('/api/orders/x-1').flush({ title: 'Not found', status: 404 }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(text(fixture, '[role="alert"]')).toBe('We could not find this order among yours.');
  });
});

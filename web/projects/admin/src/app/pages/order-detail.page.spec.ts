import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Order } from '@shared/models';
import { adminSessionProviders } from '../testing';
import { OrderDetailPage } from './order-detail.page';

const id = '0b8e3f5e-3f0b-4a36-9d0e-7c9c2f0d1a22';
function order(status: Order['status']): Order {
  return { id, customerId: 'alice', status, lines: [{ sku: 'MUG-1', quantity: 2, unitPrice: 12.5 }], total: 25, createdAt: '2026-11-25T10:00:00Z', updatedAt: '2026-11-25T10:00:00Z' };
}
const noHistory = { items: [], page: 1, pageSize: 100, total: 0 };

describe('OrderDetailPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [OrderDetailPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function open(status: Order['status']) {
    const fixture = TestBed.createComponent(OrderDetailPage);
    fixture.componentRef.setInput('id', id);
    await fixture.whenStable();
    http.expectOne(`/api/orders/${id}`).flush(order(status));
    const history = http.expectOne((r) => r.url === '/api/audit/documents/order');
    expect(history.request.params.get('entityId')).toBe(id);
    history.flush({
      items: [{ id: 'm1', entity: 'order', entityId: id, action: 'orders.order-created.v1', timestamp: '2026-11-25T10:00:00Z', actor: 'alice', payload: {} }],
      page: 1,
      pageSize: 100,
      total: 1,
    });
    await fixture.whenStable();
    return fixture;
  }

  function button(fixture: { nativeElement: HTMLElement }, text: string): HTMLButtonElement {
    return [...fixture.nativeElement.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement;
  }

  it('when the order is confirmed, then Ship posts the ship command and shows it shipped', async () => {
    const fixture = await open('confirmed');
    expect(fixture.nativeElement.querySelector('app-timeline li')?.textContent).toContain('Order created');
    button(fixture, 'Ship').click();
    const ship = http.expectOne(`/api/orders/${id}/ship`);
    expect(ship.request.method).toBe('POST');
    ship.flush(order('shipped'));
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('h1 [data-status]').getAttribute('data-status')).toBe('shipped');
    expect(fixture.nativeElement.querySelector('[role="status"]').textContent).toContain('Order shipped');
    http.expectOne(`/api/orders/${id}`).flush(order('shipped'));
    http.expectOne((r) => r.url === '/api/audit/documents/order').flush(noHistory);
  });

  it('when the order is still pending, then it cannot be shipped but can be cancelled', async () => {
    const fixture = await open('pending');
    expect(button(fixture, 'Ship').disabled).toBe(true);
    expect(button(fixture, 'Cancel order').disabled).toBe(false);
  });

  it('when shipping is refused with 409, then the problem detail is shown', async () => {
    const fixture = await open('confirmed');
    button(fixture, 'Ship').click();
    http
      .expectOne(`/api/orders/${id}/ship`)
      .flush({ title: 'Conflict', status: 409, detail: 'Only confirmed orders can be shipped.' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="alert"]').textContent).toContain('Only confirmed orders can be shipped.');
  });
});

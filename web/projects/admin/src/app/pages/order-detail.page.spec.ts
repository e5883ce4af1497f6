import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AdminOrder } from '../admin-models';
import { ConfirmService } from '../confirm';
import { adminSessionProviders } from '../testing';
import { OrderDetailPage } from './order-detail.page';

const id = '0b8e3f5e-3f0b-4a36-9d0e-7c9c2f0d1a22';
function order(status: AdminOrder['status']): AdminOrder {
  return { id, customerId: 'sub-alice', customerName: 'Alice Liddell', customerEmail: 'alice@example.test', status, lines: [{ sku: 'MUG-1', name: 'Stoneware mug', quantity: 2, unitPrice: 12.5 }], total: 25, createdAt: '2026-11-25T10:00:00Z', updatedAt: '2026-11-25T10:00:00Z' };
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

  async function open(status: AdminOrder['status']) {
    const fixture = TestBed.createComponent(OrderDetailPage);
    fixture.componentRef.setInput('id', id);
    await fixture.whenStable();
    http.expectOne(`/api/orders/${id}`).flush(order(status));
    const history = http.expectOne((r) => r.url === '/api/audit/documents/order');
    expect(history.request.params.get('entityId')).toBe(id);
    history.flush({
      items: [{ id: 'm1', entity: 'order', entityId: id, action: 'orders.order-created.v1', timestamp: '2026-11-25T10:00:00Z', actor: 'sub-alice', payload: {} }],
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

  it('when the order opens, then the customer, the products and the timeline show names, not ids', async () => {
    const fixture = await open('confirmed');
    expect(fixture.nativeElement.querySelector('[data-testid="customer-name"]').textContent).toBe('Alice Liddell');
    expect(fixture.nativeElement.querySelector('[data-testid="customer"]').textContent).toContain('alice@example.test');
    expect(fixture.nativeElement.querySelector('table[aria-label="Order lines"] td').textContent).toBe('Stoneware mug');
    expect(fixture.nativeElement.querySelector('app-timeline li .what').textContent).toContain('Order placed by Alice Liddell (customer)');
  });

  it('when the admin confirms Ship, then the ship command is posted and the order shows shipped', async () => {
    const fixture = await open('confirmed');
    const confirm = TestBed.inject(ConfirmService);
    button(fixture, 'Ship').click();
    expect(confirm.pending()?.title).toBe(`Ship order ${id.slice(0, 8)}?`);
    http.expectNone(`/api/orders/${id}/ship`);
    confirm.answer(true);
    await fixture.whenStable();
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

  it('when the admin keeps the order instead of cancelling it, then nothing is sent', async () => {
    const fixture = await open('confirmed');
    const confirm = TestBed.inject(ConfirmService);
    button(fixture, 'Cancel order').click();
    expect(confirm.pending()?.danger).toBe(true);
    confirm.answer(false);
    await fixture.whenStable();
    http.expectNone(`/api/orders/${id}/cancel`);
    expect(button(fixture, 'Cancel order').disabled).toBe(false);
  });

  it('when shipping is refused with 409, then the problem detail is shown', async () => {
    const fixture = await open('confirmed');
    button(fixture, 'Ship').click();
    TestBed.inject(ConfirmService).answer(true);
    await fixture.whenStable();
    http
      .expectOne(`/api/orders/${id}/ship`)
      .flush({ title: 'Conflict', status: 409, detail: 'Only confirmed orders can be shipped.' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="alert"]').textContent).toContain('Only confirmed orders can be shipped.');
  });
});

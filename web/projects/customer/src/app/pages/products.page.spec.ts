import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { CartService } from '../cart.service';
import { signedInProviders } from '../testing';
import { ProductsPage } from './products.page';

const mug = { sku: 'MUG-1', name: 'Mug', price: 12.5, onHand: 10, reserved: 3, available: 7, lowStockThreshold: 2, updatedAt: '' };
const tea = { sku: 'TEA-2', name: 'Tea', price: 3.1, onHand: 0, reserved: 0, available: 0, lowStockThreshold: 2, updatedAt: '' };

describe('ProductsPage', () => {
  beforeEach(() => {
    localStorage.clear();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    TestBed.configureTestingModule({
      imports: [ProductsPage],
      providers: [...signedInProviders(), provideHttpClient(), provideHttpClientTesting()],
    });
  });

  afterEach(() => vi.useRealTimers());

  it('when products load, then each shows its price and available stock, and out-of-stock ones cannot be added', async () => {
    const fixture = TestBed.createComponent(ProductsPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('Loading products');
    TestBed.inject(HttpTestingController)
      .expectOne((r) => r.url === '/api/inventory/products')
      .flush({ items: [mug, tea], page: 1, pageSize: 50, total: 2 });
    await fixture.whenStable();
    const rows = fixture.nativeElement.querySelectorAll('tbody tr') as NodeListOf<HTMLTableRowElement>;
    expect(rows.length).toBe(2);
    expect(rows[0].textContent).toContain('€12.50');
    expect(rows[0].textContent).toContain('7');
    expect(rows[1].textContent).toContain('Out of stock');
    expect((rows[1].querySelector('button') as HTMLButtonElement).disabled).toBe(true);

    (rows[0].querySelector('button') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(TestBed.inject(CartService).lines()).toEqual([{ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, quantity: 1 }]);
    expect(fixture.nativeElement.querySelector('[role="status"]').textContent).toContain('Added 1 × Mug');
  });

  it('when a search finds nothing, then the empty state names the search', async () => {
    const fixture = TestBed.createComponent(ProductsPage);
    const http = TestBed.inject(HttpTestingController);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [mug], page: 1, pageSize: 50, total: 1 });
    fixture.componentInstance.query = 'zebra';
    fixture.componentInstance.search('zebra');
    await vi.advanceTimersByTimeAsync(300);
    const request = http.expectOne((r) => r.url === '/api/inventory/products' && r.params.get('q') === 'zebra');
    request.flush({ items: [], page: 1, pageSize: 50, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('No products match “zebra”');
  });

  it('when the catalogue cannot be loaded, then the problem is shown as an alert', async () => {
    const fixture = TestBed.createComponent(ProductsPage);
    await fixture.whenStable();
    TestBed.inject(HttpTestingController)
      .expectOne((r) => r.url === '/api/inventory/products')
      .flush({ title: 'Forbidden', status: 403, detail: 'Missing scope inventory.read.' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="alert"]').textContent).toContain('Missing scope inventory.read.');
  });
});

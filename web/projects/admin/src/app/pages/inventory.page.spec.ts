import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { adminSessionProviders } from '../testing';
import { InventoryPage, productFormErrors } from './inventory.page';

const mug = { sku: 'MUG-1', name: 'Mug', price: 12.5, onHand: 3, reserved: 1, available: 2, lowStockThreshold: 5, updatedAt: '' };

describe('InventoryPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [InventoryPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('when the product form is wrong, then each field problem is named', () => {
    const catalogue = { description: '', category: '', brand: '', image: '' };
    expect(productFormErrors({ sku: 'mug', name: ' ', price: -1, lowStockThreshold: 1.5, ...catalogue, image: '//cdn.example/x.png' })).toEqual([
      'SKU: 3 to 32 capital letters, digits or dashes.',
      'Name: required.',
      'Price: a number of at least 0.',
      'Low-stock threshold: a whole number of at least 0.',
      'Image: a path on the shop such as /products/kettle.svg, or empty.',
    ]);
    expect(productFormErrors({ sku: 'MUG-1', name: 'Mug', price: 0, lowStockThreshold: null, ...catalogue })).toEqual([]);
    expect(productFormErrors({ sku: 'MUG-1', name: 'Mug', price: 0, lowStockThreshold: null, ...catalogue, image: '/products/mug.svg' })).toEqual([]);
    expect(productFormErrors({ sku: 'MUG-1', name: 'Mug', price: 0, lowStockThreshold: null, ...catalogue, image: 'https://evil.example/x.png' })).toHaveLength(1);
  });

  it('when products load, then low-stock ones are marked; "Low stock only" asks the service for lowStock', async () => {
    const fixture = TestBed.createComponent(InventoryPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [mug], page: 1, pageSize: 100, total: 1 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('tr[data-sku="MUG-1"]').classList).toContain('low');

    fixture.componentInstance.lowStock = true;
    fixture.componentInstance.search();
    const request = http.expectOne((r) => r.url === '/api/inventory/products');
    expect(request.request.params.get('lowStock')).toBe('true');
    request.flush({ items: [], page: 1, pageSize: 100, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('No product is low on stock');
  });

  it('when stock is adjusted with a reason, then the adjustment is posted and the result reported', async () => {
    const fixture = TestBed.createComponent(InventoryPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [mug], page: 1, pageSize: 100, total: 1 });
    await fixture.whenStable();
    const page = fixture.componentInstance;
    page.startAdjust(mug);
    page.delta = 10;
    page.reason = 'delivery received';
    page.adjust(mug);
    const request = http.expectOne('/api/inventory/products/MUG-1/adjustments');
    expect(request.request.body).toEqual({ delta: 10, reason: 'delivery received' });
    request.flush({ ...mug, onHand: 13, available: 12 });
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [], page: 1, pageSize: 100, total: 0 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="status"]').textContent).toContain('Stock of MUG-1 is now 13 on hand (12 available)');
  });

  it('when a product is saved, then the rows stay on screen (marked busy) while the list reloads', async () => {
    const fixture = TestBed.createComponent(InventoryPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [mug], page: 1, pageSize: 100, total: 1 });
    await fixture.whenStable();
    const page = fixture.componentInstance;
    page.startEdit(mug);
    page.form.price = 13;
    page.save();
    http.expectOne('/api/inventory/products/MUG-1').flush({ ...mug, price: 13 });
    await fixture.whenStable();
    const reload = http.expectOne((r) => r.url === '/api/inventory/products');
    const table = fixture.nativeElement.querySelector('table[aria-label="Products"]') as HTMLElement;
    expect(table.getAttribute('aria-busy')).toBe('true');
    expect(table.querySelector('tr[data-sku="MUG-1"]')).not.toBeNull();
    expect(fixture.nativeElement.textContent).not.toContain('Loading products');
    reload.flush({ items: [{ ...mug, price: 13 }], page: 1, pageSize: 100, total: 1 });
    await fixture.whenStable();
    expect(table.getAttribute('aria-busy')).toBe('false');
    expect(table.querySelector('tr[data-sku="MUG-1"]')?.textContent).toContain('€13.00');
  });

  it('when a new product is saved, then it is PUT under its upper-cased SKU', async () => {
    const fixture = TestBed.createComponent(InventoryPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [], page: 1, pageSize: 100, total: 0 });
    const page = fixture.componentInstance;
    page.startCreate();
    page.form = { sku: 'lamp-7', name: 'Desk lamp', price: 39.9, lowStockThreshold: 3, description: ' Warm light. ', category: 'Lighting', brand: 'Lumo', image: '/products/desk-lamp.svg' };
    page.save();
    const request = http.expectOne('/api/inventory/products/LAMP-7');
    expect(request.request.method).toBe('PUT');
    expect(request.request.body).toEqual({
      name: 'Desk lamp',
      price: 39.9,
      lowStockThreshold: 3,
      description: 'Warm light.',
      category: 'Lighting',
      brand: 'Lumo',
      image: '/products/desk-lamp.svg',
    });
    request.flush({ ...mug, sku: 'LAMP-7', name: 'Desk lamp' });
    http.expectOne((r) => r.url === '/api/inventory/products').flush({ items: [], page: 1, pageSize: 100, total: 0 });
  });
});

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { CartService } from '../cart.service';
import { CatalogueItem } from '../shop-models';
import { signedOutProviders } from '../testing';
import { CataloguePage } from './catalogue.page';

function item(sku: string, name: string, extra: Partial<CatalogueItem> = {}): CatalogueItem {
  return { sku, name, description: '', price: 12.5, category: 'Coffee', brand: 'Meridian', image: `/products/${sku}.svg`, availability: 'in-stock', maxQuantity: 10, ...extra };
}

describe('CataloguePage (signed out)', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      imports: [CataloguePage],
      providers: [...signedOutProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('when the catalogue loads, then each card shows picture, name, price and availability in words, without stock counts', async () => {
    const fixture = TestBed.createComponent(CataloguePage);
    await fixture.whenStable();
    http.expectOne('/api/catalogue/facets').flush({ categories: [{ name: 'Coffee', count: 2 }], brands: [{ name: 'Meridian', count: 2 }] });
    http.expectOne((r) => r.url === '/api/catalogue').flush({
      items: [item('MUG-1', 'Mug'), item('GRIND-1', 'Hand burr grinder', { availability: 'low-stock', left: 3, maxQuantity: 3 }), item('TEA-2', 'Tea', { availability: 'out-of-stock', maxQuantity: 0 })],
      page: 1,
      pageSize: 24,
      total: 3,
    });
    await fixture.whenStable();
    const cards = [...fixture.nativeElement.querySelectorAll('li.product-card')] as HTMLElement[];
    expect(cards.length).toBe(3);
    expect(cards[0].querySelector('img')?.getAttribute('src')).toBe('/products/MUG-1.svg');
    expect(cards[0].querySelector('a')?.getAttribute('href')).toBe('/products/MUG-1');
    expect(cards[0].textContent).toContain('€12.50');
    expect(cards[0].textContent).toContain('In stock');
    expect(cards[1].textContent).toContain('Only 3 left');
    expect(cards[2].textContent).toContain('Out of stock');
    expect((cards[2].querySelector('button') as HTMLButtonElement).disabled).toBe(true);
    expect(fixture.nativeElement.querySelector('select[name="category"]').textContent).toContain('Coffee (2)');
  });

  it('when "Add to cart" is pressed up to the limit, then the cart holds that many and the button says all are in the cart', async () => {
    const fixture = TestBed.createComponent(CataloguePage);
    await fixture.whenStable();
    http.expectOne('/api/catalogue/facets').flush({ categories: [], brands: [] });
    http.expectOne((r) => r.url === '/api/catalogue').flush({ items: [item('GRIND-1', 'Hand burr grinder', { availability: 'low-stock', left: 2, maxQuantity: 2 })], page: 1, pageSize: 24, total: 1 });
    await fixture.whenStable();
    const button = fixture.nativeElement.querySelector('li.product-card button') as HTMLButtonElement;
    button.click();
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="cart-announcement"]').textContent).toBe('Added 1 × Hand burr grinder to your cart.');
    button.click();
    await fixture.whenStable();
    expect(TestBed.inject(CartService).quantityOf('GRIND-1')).toBe(2);
    expect(button.disabled).toBe(true);
    expect(button.textContent?.trim()).toBe('All available in cart');
  });

  it('when a full page of products arrives, then the first cards show at once and the rest follow a few per task until all show', async () => {
    const fixture = TestBed.createComponent(CataloguePage);
    await fixture.whenStable();
    http.expectOne('/api/catalogue/facets').flush({ categories: [], brands: [] });
    const items = Array.from({ length: 24 }, (_, i) => item(`SKU-${i}`, `Product ${i}`));
    http.expectOne((r) => r.url === '/api/catalogue').flush({ items, page: 1, pageSize: 24, total: 24 });
    fixture.detectChanges();
    const first = fixture.nativeElement.querySelectorAll('li.product-card').length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(6);
    await fixture.whenStable();
    const cards = [...fixture.nativeElement.querySelectorAll('li.product-card')] as HTMLElement[];
    expect(cards.map((c) => c.dataset['sku'])).toEqual(items.map((i) => i.sku));
  });
});

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { AuthService } from '../auth.service';
import { CartService } from '../cart.service';
import { FakeAuth, signedInProviders, signedOutProviders } from '../testing';
import { CartPage } from './cart.page';

const grinder = { sku: 'GRIND-1', name: 'Hand burr grinder', unitPrice: 89, image: '/products/grinder.svg', limit: 3 };

function setup(providers = signedInProviders()): HttpTestingController {
  localStorage.clear();
  TestBed.configureTestingModule({
    imports: [CartPage],
    providers: [...providers, provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
  });
  return TestBed.inject(HttpTestingController);
}

/** The cart page asks the catalogue for each line's current availability when it opens. */
function answerCatalogue(http: HttpTestingController, maxQuantity = 3): void {
  for (const request of http.match((r) => r.url.startsWith('/api/catalogue/items/'))) {
    request.flush({ sku: 'GRIND-1', name: 'Hand burr grinder', description: '', price: 89, category: 'Coffee', brand: 'Meridian', image: '/products/grinder.svg', availability: 'low-stock', left: maxQuantity, maxQuantity });
  }
}

describe('CartPage', () => {
  it('when the cart is empty, then an empty state links to the shop', async () => {
    setup();
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('Your cart is empty');
    expect(fixture.nativeElement.querySelector('a[href="/"]')).not.toBeNull();
  });

  it('when a quantity above what is available is typed, then the field keeps the limit and says why', async () => {
    const http = setup();
    TestBed.inject(CartService).add(grinder, 2);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    answerCatalogue(http);
    await fixture.whenStable();
    const field = fixture.nativeElement.querySelector('#qty-GRIND-1') as HTMLInputElement;
    expect(field.max).toBe('3');
    field.value = '5';
    field.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    expect(field.value).toBe('3');
    expect(TestBed.inject(CartService).quantityOf('GRIND-1')).toBe(3);
    expect(fixture.nativeElement.querySelector('[data-testid="limit-GRIND-1"]').textContent).toContain('only 3 available');
    expect(fixture.nativeElement.querySelector('[data-testid="cart-total"]').textContent).toContain('€267.00');
  });

  it('when the catalogue now has fewer than the cart holds, then the line is lowered and the reason shown', async () => {
    const http = setup();
    TestBed.inject(CartService).add(grinder, 3);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    answerCatalogue(http, 1);
    await fixture.whenStable();
    expect(TestBed.inject(CartService).quantityOf('GRIND-1')).toBe(1);
    expect(fixture.nativeElement.querySelector('[data-testid="limit-GRIND-1"]').textContent).toContain('Lowered to 1');
  });

  it('when signed out, then checkout asks to sign in and comes back to the cart', async () => {
    setup(signedOutProviders());
    TestBed.inject(CartService).add(grinder, 1);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="place-order"]')).toBeNull();
    (fixture.nativeElement.querySelector('[data-testid="sign-in-to-checkout"]') as HTMLButtonElement).click();
    expect((TestBed.inject(AuthService) as unknown as FakeAuth).signIn).toHaveBeenCalledWith('/cart');
    expect(TestBed.inject(CartService).lines().length).toBe(1);
  });

  it('when "Place order" is clicked twice quickly, then exactly one order request is sent, with the cart key, and the order page opens with its thank-you', async () => {
    const http = setup();
    const cart = TestBed.inject(CartService);
    cart.add(grinder, 2);
    const key = cart.checkoutKey();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    answerCatalogue(http);
    await fixture.whenStable();
    const button = fixture.nativeElement.querySelector('[data-testid="place-order"]') as HTMLButtonElement;
    button.click();
    button.click();
    await fixture.whenStable();
    expect(button.disabled).toBe(true);
    const request = http.expectOne('/api/orders');
    expect(request.request.headers.get('Idempotency-Key')).toBe(key);
    expect(request.request.body).toEqual({ lines: [{ sku: 'GRIND-1', quantity: 2 }] });
    request.flush({ id: 'order-1', status: 'pending' });
    await fixture.whenStable();
    http.verify();
    expect(cart.lines()).toEqual([]);
    expect(navigate).toHaveBeenCalledWith(['/orders', 'order-1'], { state: { placed: 'order-1' } });
  });

  it('when the order is refused with problem+json, then its detail is shown and the cart is kept', async () => {
    const http = setup();
    const cart = TestBed.inject(CartService);
    cart.add(grinder);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    answerCatalogue(http);
    (fixture.nativeElement.querySelector('[data-testid="place-order"]') as HTMLButtonElement).click();
    http
      .expectOne('/api/orders')
      .flush(
        { title: 'Validation failed', status: 400, detail: 'The order is not valid.', errors: [{ field: 'lines[0].sku', message: 'unknown sku' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="alert"]').textContent).toContain('lines[0].sku: unknown sku');
    expect(cart.lines().length).toBe(1);
  });

  it('when the network fails, then the retry sends the same Idempotency-Key; after a 400 refusal a new key', async () => {
    const http = setup();
    TestBed.inject(CartService).add(grinder);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    answerCatalogue(http);
    const place = async () => {
      (fixture.nativeElement.querySelector('[data-testid="place-order"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      return http.expectOne('/api/orders');
    };
    const first = await place();
    first.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await fixture.whenStable();
    const second = await place();
    expect(second.request.headers.get('Idempotency-Key')).toBe(first.request.headers.get('Idempotency-Key'));
    second.flush({ title: 'Validation failed', status: 400 }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    const third = await place();
    expect(third.request.headers.get('Idempotency-Key')).not.toBe(second.request.headers.get('Idempotency-Key'));
    third.flush({ title: 'Validation failed', status: 400 }, { status: 400, statusText: 'Bad Request' });
  });
});

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { CartService } from '../cart.service';
import { signedInProviders } from '../testing';
import { CartPage } from './cart.page';

describe('CartPage', () => {
  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      imports: [CartPage],
      providers: [...signedInProviders(), provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
  });

  it('when the cart is empty, then an empty state links to the products', async () => {
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('Your cart is empty');
    expect(fixture.nativeElement.querySelector('a[href="/products"]')).not.toBeNull();
  });

  it('when "Place order" is clicked twice quickly, then exactly one order request is sent, with the cart key, and the cart empties', async () => {
    const cart = TestBed.inject(CartService);
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 }, 2);
    const key = cart.checkoutKey();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    const button = fixture.nativeElement.querySelector('[data-testid="place-order"]') as HTMLButtonElement;
    button.click();
    button.click();
    await fixture.whenStable();
    expect(button.disabled).toBe(true);

    const http = TestBed.inject(HttpTestingController);
    const request = http.expectOne('/api/orders');
    expect(request.request.headers.get('Idempotency-Key')).toBe(key);
    request.flush({ id: 'order-1', status: 'pending' });
    await fixture.whenStable();
    http.verify();
    expect(cart.lines()).toEqual([]);
    expect(navigate).toHaveBeenCalledWith(['/orders'], { queryParams: { placed: 'order-1' } });
  });

  it('when the order is refused with problem+json, then its detail is shown and the cart is kept', async () => {
    const cart = TestBed.inject(CartService);
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 });
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    (fixture.nativeElement.querySelector('[data-testid="place-order"]') as HTMLButtonElement).click();
    TestBed.inject(HttpTestingController)
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
    const cart = TestBed.inject(CartService);
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 });
    const fixture = TestBed.createComponent(CartPage);
    await fixture.whenStable();
    const http = TestBed.inject(HttpTestingController);
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

import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';
import { ShopApi } from './shop-api.service';
import { signedInProviders } from './testing';

describe('ShopApi with the auth interceptor', () => {
  let api: ShopApi;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [...signedInProviders('tok-123'), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    api = TestBed.inject(ShopApi);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('when an order is placed, then it posts the lines with the Idempotency-Key and the bearer token', () => {
    api.placeOrder([{ sku: 'MUG-1', quantity: 2 }], 'web-key-0001').subscribe();
    const request = http.expectOne('/api/orders');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({ lines: [{ sku: 'MUG-1', quantity: 2 }] });
    expect(request.request.headers.get('Idempotency-Key')).toBe('web-key-0001');
    expect(request.request.headers.get('Authorization')).toBe('Bearer tok-123');
    request.flush({});
  });

  it('when the catalogue is searched and filtered, then q, category, brand, sort and paging go in the query', () => {
    api.catalogue({ q: ' mug ', category: 'Coffee', brand: 'Meridian', sort: 'price-asc', page: 2, pageSize: 10 }).subscribe();
    const request = http.expectOne((r) => r.url === '/api/catalogue');
    expect(request.request.params.get('q')).toBe('mug');
    expect(request.request.params.get('category')).toBe('Coffee');
    expect(request.request.params.get('brand')).toBe('Meridian');
    expect(request.request.params.get('sort')).toBe('price-asc');
    expect(request.request.params.get('page')).toBe('2');
    expect(request.request.params.get('pageSize')).toBe('10');
    request.flush({ items: [], page: 2, pageSize: 10, total: 0 });
  });

  it('when the gateway answers 401 to a call with a token, then the session problem is reported for "Sign in again"', () => {
    api.myOrders().subscribe({ error: () => undefined });
    http.expectOne((r) => r.url === '/api/orders/mine').flush({ title: 'Unauthorized', status: 401 }, { status: 401, statusText: 'Unauthorized' });
    expect(TestBed.inject(AuthService).sessionProblem()).toContain('Sign in again');
  });

  it('when a request goes anywhere but the gateway, then no token is attached', () => {
    TestBed.inject(HttpClient).get('https://elsewhere.example/thing').subscribe();
    const request = http.expectOne('https://elsewhere.example/thing');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({});
  });
});

import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { csrfInterceptor } from './csrf.interceptor';
import { adminSessionProviders } from './testing';

describe('csrfInterceptor', () => {
  let client: HttpClient;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [...adminSessionProviders(), provideHttpClient(withInterceptors([csrfInterceptor])), provideHttpClientTesting()],
    });
    client = TestBed.inject(HttpClient);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('when an unsafe method goes to the API, then the session CSRF token is sent', () => {
    client.post('/api/orders/1/ship', {}).subscribe();
    client.put('/api/inventory/products/MUG-1', {}).subscribe();
    for (const request of [http.expectOne('/api/orders/1/ship'), http.expectOne('/api/inventory/products/MUG-1')]) {
      expect(request.request.headers.get('X-CSRF-Token')).toBe('csrf-abc');
      request.flush({});
    }
  });

  it('when a GET is sent, or a request leaves the API, then no token is added', () => {
    client.get('/api/orders').subscribe();
    client.post('https://elsewhere.example/x', {}).subscribe();
    const get = http.expectOne('/api/orders');
    const other = http.expectOne('https://elsewhere.example/x');
    expect(get.request.headers.has('X-CSRF-Token')).toBe(false);
    expect(other.request.headers.has('X-CSRF-Token')).toBe(false);
    get.flush({});
    other.flush({});
  });
});

import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, UrlTree, provideRouter } from '@angular/router';
import { adminGuard } from './admin.guard';
import { SessionService } from './session.service';

describe('SessionService and adminGuard', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
  });

  async function guardResult(answer: { body: object; status?: number }): Promise<boolean | UrlTree> {
    const result = TestBed.runInInjectionContext(() => adminGuard({} as never, { url: '/inventory' } as never)) as Promise<boolean | UrlTree>;
    const request = http.expectOne('/auth/me');
    request.flush(answer.body, answer.status ? { status: answer.status, statusText: 'x' } : undefined);
    return result;
  }

  function url(tree: boolean | UrlTree): string {
    return tree instanceof UrlTree ? TestBed.inject(Router).serializeUrl(tree) : String(tree);
  }

  it('when /auth/me names an admin, then admin pages open and the CSRF token is kept', async () => {
    expect(await guardResult({ body: { username: 'ada', roles: ['admin'], csrfToken: 't-1' } })).toBe(true);
    expect(TestBed.inject(SessionService).csrfToken()).toBe('t-1');
  });

  it('when a customer is signed in, then the guard sends them to the refusal page', async () => {
    expect(url(await guardResult({ body: { username: 'alice', roles: ['customer'], csrfToken: 't-2' } }))).toBe('/refused');
    expect(TestBed.inject(SessionService).session()).toEqual({ state: 'refused', username: 'alice' });
    expect(TestBed.inject(SessionService).csrfToken()).toBeNull();
  });

  it('when the BFF refuses the session with 403, then the refusal page is shown too', async () => {
    expect(url(await guardResult({ body: { title: 'Forbidden', status: 403, username: 'bob' }, status: 403 }))).toBe('/refused');
  });

  it('when there is no session (401), then the guard sends to the sign-in page with the return address', async () => {
    expect(url(await guardResult({ body: { title: 'Unauthorized', status: 401 }, status: 401 }))).toBe('/sign-in?returnTo=%2Finventory');
  });

  it('when the BFF cannot be reached but an admin was signed in, then the console opens offline without a CSRF token', async () => {
    await guardResult({ body: { username: 'ada', roles: ['admin'], csrfToken: 't-1' } });
    const sessions = TestBed.inject(SessionService);
    const result = sessions.load(true);
    http.expectOne('/auth/me').error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    expect(await result).toEqual({ state: 'admin', me: { username: 'ada', roles: ['admin'], csrfToken: '' } });
    expect(localStorage.getItem('meridian.admin.identity.v1')).not.toContain('t-1');
  });

  it('when the BFF cannot be reached and nobody was signed in, then the session is an error (sign-in page)', async () => {
    const result = TestBed.inject(SessionService).load();
    http.expectOne('/auth/me').error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    expect((await result).state).toBe('error');
  });

  it('when the session ends (401) after an admin was remembered, then the offline identity is forgotten too', async () => {
    await guardResult({ body: { username: 'ada', roles: ['admin'], csrfToken: 't-1' } });
    const sessions = TestBed.inject(SessionService);
    const ended = sessions.load(true);
    http.expectOne('/auth/me').flush({ status: 401 }, { status: 401, statusText: 'Unauthorized' });
    expect((await ended).state).toBe('anonymous');
    const offline = sessions.load(true);
    http.expectOne('/auth/me').error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    expect((await offline).state).toBe('error');
  });

  it('when the console was opened offline and the network returns, then the session (and its CSRF token) is fetched again', async () => {
    await guardResult({ body: { username: 'ada', roles: ['admin'], csrfToken: 't-1' } });
    const sessions = TestBed.inject(SessionService);
    const offline = sessions.load(true);
    http.expectOne('/auth/me').error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await offline;
    expect(sessions.csrfToken()).toBe('');

    // The first attempt right after `online` still fails; the next one gets through.
    window.dispatchEvent(new Event('online'));
    http.expectOne('/auth/me').error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await vi.waitFor(() => http.expectOne('/auth/me').flush({ username: 'ada', roles: ['admin'], csrfToken: 't-2' }), { timeout: 3_000 });
    await vi.waitFor(() => expect(sessions.csrfToken()).toBe('t-2'));
  });
});

import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { App } from './app';
import { RefusedPage } from './pages/refused.page';
import { SessionService } from './session.service';
import { adminSessionProviders } from './testing';

describe('App shell', () => {
  afterEach(() => vi.restoreAllMocks());

  it('when the browser goes offline, then the offline banner appears, and leaves when it is back online', async () => {
    TestBed.configureTestingModule({ imports: [App], providers: [...adminSessionProviders(), provideRouter([])] });
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true);
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="offline-banner"]')).toBeNull();
    expect(fixture.nativeElement.querySelector('nav[aria-label="Main"]').textContent).toContain('Inventory');

    onLine.mockReturnValue(false);
    window.dispatchEvent(new Event('offline'));
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="offline-banner"]').textContent).toContain('You are offline');

    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="offline-banner"]')).toBeNull();
  });

  it('when a customer reaches the refusal page, then it says plainly that the account does not have the admin role', async () => {
    TestBed.configureTestingModule({
      imports: [RefusedPage],
      providers: [{ provide: SessionService, useValue: { session: () => ({ state: 'refused', username: 'alice' }), load: () => Promise.resolve({ state: 'refused', username: 'alice' }), signOut: () => Promise.resolve() } }],
    });
    const fixture = TestBed.createComponent(RefusedPage);
    await fixture.whenStable();
    const alert = fixture.nativeElement.querySelector('[role="alert"]') as HTMLElement;
    expect(alert.querySelector('h1')?.textContent).toBe('Access refused');
    expect(alert.textContent).toContain('signed in as alice');
    expect(alert.textContent).toContain('does not have the admin role');
  });

  it('when the refusal page is opened without a refused sign-in, then it offers to sign in instead of a sign-out', async () => {
    const signIn = vi.fn();
    TestBed.configureTestingModule({
      imports: [RefusedPage],
      providers: [
        provideRouter([]),
        { provide: SessionService, useValue: { session: () => ({ state: 'anonymous' }), load: () => Promise.resolve({ state: 'anonymous' }), signIn } },
      ],
    });
    const fixture = TestBed.createComponent(RefusedPage);
    await fixture.whenStable();
    const buttons = [...fixture.nativeElement.querySelectorAll('button')] as HTMLButtonElement[];
    expect(buttons.map((b) => b.textContent?.trim())).toEqual(['Sign in']);
    buttons[0]?.click();
    expect(signIn).toHaveBeenCalledWith('/');
  });
});

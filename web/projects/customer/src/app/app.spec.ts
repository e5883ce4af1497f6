import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { App } from './app';
import { signedOutProviders } from './testing';

@Component({ selector: 'app-test-page', template: `<a class="card-link" href="/products/KTL-1?from=grid"><span class="name">Kettle</span></a>` })
class TestPage {}

async function startApp() {
  TestBed.configureTestingModule({
    imports: [App],
    providers: [
      ...signedOutProviders(),
      provideRouter([
        { path: '', component: TestPage },
        { path: 'products/:sku', component: TestPage },
        { path: 'cart', component: TestPage },
      ]),
    ],
  });
  const fixture = TestBed.createComponent(App);
  const router = TestBed.inject(Router);
  await router.navigateByUrl('/');
  await fixture.whenStable();
  return { fixture, router, root: fixture.nativeElement as HTMLElement };
}

function click(target: Element, init: MouseEventInit = {}): MouseEvent {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
  target.dispatchEvent(event);
  return event;
}

describe('App (plain links followed in place)', () => {
  beforeEach(() => localStorage.clear());

  it('when a link inside a page is left-clicked, then the app navigates to it in place (no page load)', async () => {
    const { fixture, router, root } = await startApp();
    const event = click(root.querySelector('.card-link .name') as Element);
    await fixture.whenStable();
    expect(event.defaultPrevented).toBe(true);
    expect(router.url).toBe('/products/KTL-1?from=grid');
  });

  it('when the header cart link is clicked, then the cart opens in place and the link is marked as the current page', async () => {
    const { fixture, router, root } = await startApp();
    const cart = root.querySelector('a.cart-link') as HTMLAnchorElement;
    expect(cart.getAttribute('href')).toBe('/cart');
    expect(cart.getAttribute('aria-current')).toBeNull();
    expect(root.querySelector('nav a[href="/"]')?.getAttribute('aria-current')).toBe('page');
    click(cart.querySelector('svg') as Element);
    await fixture.whenStable();
    expect(router.url).toBe('/cart');
    expect(cart.getAttribute('aria-current')).toBe('page');
    expect(cart.classList.contains('active')).toBe(true);
  });

  it('when a link is clicked with a modifier key, another button, a target or to another origin, then the browser keeps the click', async () => {
    const { fixture, router, root } = await startApp();
    // Seen once the app had its turn; then cancelled, as the test browser cannot load another page.
    const leftToBrowser: boolean[] = [];
    const record = (e: Event) => {
      leftToBrowser.push(!e.defaultPrevented);
      e.preventDefault();
    };
    document.addEventListener('click', record);
    const link = root.querySelector('.card-link') as HTMLAnchorElement;
    const clicks = [click(link, { ctrlKey: true }), click(link, { metaKey: true }), click(link, { shiftKey: true }), click(link, { button: 1 })];
    link.target = '_blank';
    clicks.push(click(link));
    link.removeAttribute('target');
    link.href = 'https://elsewhere.example/products/KTL-1';
    clicks.push(click(link));
    document.removeEventListener('click', record);
    await fixture.whenStable();
    expect(clicks.length).toBe(6);
    expect(leftToBrowser).toEqual([true, true, true, true, true, true]);
    expect(router.url).toBe('/');
  });
});

import { Router } from '@angular/router';

/**
 * Follows a click on one of the app's plain `<a href>` links inside the app (no page load), so links stay real
 * links (middle click, new tab, copy address) without a RouterLink directive per link: one listener on the app's
 * root does it for every link. Left-clicks without modifier keys on same-origin links that open in this tab are
 * taken over; everything else keeps the browser's behaviour. Returns whether the click was taken over.
 */
export function followLink(event: MouseEvent, router: Router): boolean {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return false;
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== '_self') || link.hasAttribute('download')) return false;
  if (link.getAttribute('href')?.startsWith('#')) return false;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return false;
  event.preventDefault();
  void router.navigateByUrl(url.pathname + url.search + url.hash);
  return true;
}

/** The address of a product's page (a plain link: see followLink). */
export function productUrl(sku: string): string {
  return `/products/${encodeURIComponent(sku)}`;
}

import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterOutlet } from '@angular/router';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { filter } from 'rxjs';
import { AuthService } from './auth.service';
import { CartService } from './cart.service';
import { followLink } from './links';
import { NotificationBell } from './notifications/notification-bell';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, NotificationBell],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // One listener follows every plain in-app link of the header and the pages (see followLink).
  host: { '(click)': 'follow($event)' },
  template: `
    <a class="skip-link" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="app-header shop-header">
      <div class="bar">
        <a class="brand" href="/">Meridian</a>
        <span class="spacer"></span>
        <a class="cart-link" href="/cart" [class.active]="path() === '/cart'" [attr.aria-current]="path() === '/cart' ? 'page' : null">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor"
            d="M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4ZM5.2 4H2V2h4.8l.9 2H21l-3.5 8.3a2 2 0 0 1-1.8 1.2H8.1l-1.1 2h12v2H4l2.6-4.7L5.2 4Z"/></svg>
          <span><span class="cart-word">Cart</span> ({{ cart.count() }})</span>
        </a>
        @if (auth.signedIn()) { @defer (on immediate) { <app-notification-bell /> } }
        <button type="button" class="secondary menu-toggle" aria-controls="main-menu" [attr.aria-expanded]="menuOpen()"
          (click)="menuOpen.set(!menuOpen())">Menu</button>
        <nav id="main-menu" aria-label="Main" [class.open]="menuOpen()">
          <a href="/" [class.active]="path() === '/'" [attr.aria-current]="path() === '/' ? 'page' : null">Shop</a>
          @if (auth.signedIn()) {
            <a href="/orders" [class.active]="inOrders()" [attr.aria-current]="inOrders() ? 'page' : null">My orders</a>
            <span class="user" data-testid="user">{{ auth.displayName() }}</span>
            <button type="button" class="secondary" (click)="auth.signOut()">Sign out</button>
          } @else {
            <button type="button" class="secondary" (click)="signIn()">Sign in</button>
          }
        </nav>
      </div>
    </header>
    @if (auth.sessionProblem()) {
      <div class="session-problem" role="alert" data-testid="session-problem">
        <span>{{ auth.sessionProblem() }}</span>
        <button type="button" (click)="signIn()">Sign in again</button>
      </div>
    }
    <main id="main" tabindex="-1"><router-outlet /></main>
  `,
})
export class App {
  readonly auth = inject(AuthService);
  readonly cart = inject(CartService);
  private readonly router = inject(Router);
  readonly menuOpen = signal(false);
  /** The current page's path (no query), which marks the header link of the page the customer is on. */
  readonly path = signal('');
  readonly inOrders = computed(() => this.path() === '/orders' || this.path().startsWith('/orders/'));

  constructor() {
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe((e) => {
        this.path.set(e.urlAfterRedirects.split(/[?#]/)[0]);
        this.menuOpen.set(false);
      });
  }

  follow(event: MouseEvent): void {
    followLink(event, this.router);
  }

  /** Signs in and comes back to the page the customer is on (the cart survives the round trip). */
  signIn(): void {
    void this.auth.signIn(this.router.url.startsWith('/callback') ? '/' : this.router.url);
  }

  /** With <base href="/"> a plain #main link would navigate to /#main: move the focus instead. */
  skipToMain(event: Event): void {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }
}

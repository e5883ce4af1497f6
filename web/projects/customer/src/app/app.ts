import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { filter } from 'rxjs';
import { AuthService } from './auth.service';
import { CartService } from './cart.service';
import { NotificationBell } from './notifications/notification-bell';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NotificationBell],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip-link" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="app-header shop-header">
      <div class="bar">
        <a class="brand" routerLink="/">Meridian</a>
        <span class="spacer"></span>
        <a class="cart-link" routerLink="/cart" routerLinkActive="active" ariaCurrentWhenActive="page">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor"
            d="M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4ZM5.2 4H2V2h4.8l.9 2H21l-3.5 8.3a2 2 0 0 1-1.8 1.2H8.1l-1.1 2h12v2H4l2.6-4.7L5.2 4Z"/></svg>
          <span><span class="cart-word">Cart</span> ({{ cart.count() }})</span>
        </a>
        @if (auth.signedIn()) { <app-notification-bell /> }
        <button type="button" class="secondary menu-toggle" aria-controls="main-menu" [attr.aria-expanded]="menuOpen()"
          (click)="menuOpen.set(!menuOpen())">Menu</button>
        <nav id="main-menu" aria-label="Main" [class.open]="menuOpen()">
          <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }" ariaCurrentWhenActive="page">Shop</a>
          @if (auth.signedIn()) {
            <a routerLink="/orders" routerLinkActive="active" ariaCurrentWhenActive="page">My orders</a>
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

  constructor() {
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.menuOpen.set(false));
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

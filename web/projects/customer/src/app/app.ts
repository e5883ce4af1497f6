import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from './auth.service';
import { CartService } from './cart.service';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip-link" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="app-header">
      <div class="bar">
        <a class="brand" routerLink="/">Meridian</a>
        @if (auth.signedIn()) {
          <nav aria-label="Main">
            <a routerLink="/products" routerLinkActive="active" ariaCurrentWhenActive="page">Products</a>
            <a routerLink="/cart" routerLinkActive="active" ariaCurrentWhenActive="page">Cart ({{ cart.count() }})</a>
            <a routerLink="/orders" routerLinkActive="active" ariaCurrentWhenActive="page">My orders</a>
          </nav>
        }
        <span class="spacer"></span>
        @if (auth.signedIn()) {
          <span data-testid="user">{{ auth.displayName() }}</span>
          <button type="button" class="secondary" (click)="auth.signOut()">Sign out</button>
        } @else {
          <button type="button" class="secondary" (click)="auth.signIn()">Sign in</button>
        }
      </div>
    </header>
    <main id="main" tabindex="-1"><router-outlet /></main>
  `,
})
export class App {
  readonly auth = inject(AuthService);
  readonly cart = inject(CartService);

  /** With <base href="/"> a plain #main link would navigate to /#main: move the focus instead. */
  skipToMain(event: Event): void {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }
}

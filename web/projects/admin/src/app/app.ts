import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { OnlineStatus } from '@shared/online';
import { ConfirmDialog } from './confirm';
import { SessionService } from './session.service';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ConfirmDialog],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip-link" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="app-header">
      <div class="bar">
        <a class="brand" routerLink="/">Meridian admin</a>
        @if (me()) {
          <nav aria-label="Main">
            <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }" ariaCurrentWhenActive="page">Dashboard</a>
            <a routerLink="/orders" routerLinkActive="active" ariaCurrentWhenActive="page">Orders</a>
            <a routerLink="/inventory" routerLinkActive="active" ariaCurrentWhenActive="page">Inventory</a>
            <a routerLink="/audit" routerLinkActive="active" ariaCurrentWhenActive="page">Audit</a>
            <a routerLink="/notifications" routerLinkActive="active" ariaCurrentWhenActive="page">Notifications</a>
          </nav>
        }
        <span class="spacer"></span>
        @if (me(); as me) {
          <span data-testid="user">{{ me.username }}</span>
          <button type="button" class="secondary" (click)="sessions.signOut()">Sign out</button>
        }
      </div>
    </header>
    @if (!online.online()) {
      <div class="offline-banner" role="status" data-testid="offline-banner">
        You are offline. Showing the last data loaded; changes are not possible until the connection returns.
      </div>
    }
    <main id="main" tabindex="-1"><router-outlet /></main>
    <app-confirm-dialog />
  `,
  styles: `.offline-banner { background: #7a4b00; color: #fff; padding: 0.5rem 1rem; text-align: center; font-weight: 600; }`,
})
export class App {
  readonly sessions = inject(SessionService);
  readonly online = inject(OnlineStatus);
  readonly me = computed(() => this.sessions.me());

  /** With <base href="/"> a plain #main link would navigate to /#main: move the focus instead. */
  skipToMain(event: Event): void {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }
}

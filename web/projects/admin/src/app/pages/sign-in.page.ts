import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { SessionService } from '../session.service';

@Component({
  selector: 'app-sign-in-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card stack">
      <h1>Meridian admin</h1>
      @if (sessions.session().state === 'error') {
        <p class="error" role="alert">The admin console could not reach its server. Check your connection and try again.</p>
      }
      <p>Sign in with your administrator account to manage orders, inventory, audit and notifications.</p>
      <p><button type="button" (click)="sessions.signIn(returnTo() || '/')">Sign in</button></p>
    </section>
  `,
})
export class SignInPage {
  readonly sessions = inject(SessionService);
  readonly returnTo = input<string | undefined>();
}

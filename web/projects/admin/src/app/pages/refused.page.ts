import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { SessionService } from '../session.service';

/** A signed-in user without the admin role (e.g. a customer) lands here instead of on an admin page. */
@Component({
  selector: 'app-refused-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card stack" role="alert" aria-labelledby="refused-title">
      <h1 id="refused-title">Access refused</h1>
      <p>
        {{ username() ? 'You are signed in as ' + username() + ', but this' : 'This' }} account is not an administrator.
        The admin console is only for Meridian staff with the admin role.
      </p>
      <p>Looking for the shop? Use the customer site instead.</p>
      <p><button type="button" class="secondary" (click)="sessions.signOut()">Sign out and use another account</button></p>
    </section>
  `,
})
export class RefusedPage {
  readonly sessions = inject(SessionService);
  readonly username = computed(() => {
    const s = this.sessions.session();
    return s.state === 'refused' ? s.username : '';
  });
}

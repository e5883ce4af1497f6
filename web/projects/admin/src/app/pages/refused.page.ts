import { ChangeDetectionStrategy, Component, OnInit, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SessionService } from '../session.service';

/**
 * Where the BFF sends a sign-in without the admin role (e.g. a customer): says who was refused and why, and
 * signs that account out of the identity provider so another one can be used.
 */
@Component({
  selector: 'app-refused-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card stack refused" role="alert" aria-labelledby="refused-title">
      <h1 id="refused-title">Access refused</h1>
      @switch (sessions.session().state) {
        @case ('admin') {
          <p>You are signed in as an administrator now.</p>
          <p><a class="button" routerLink="/">Open the dashboard</a></p>
        }
        @case ('anonymous') {
          <p>You are not signed in. The Meridian admin console is only for staff with the admin role.</p>
          <p><button type="button" (click)="sessions.signIn('/')">Sign in</button></p>
        }
        @default {
          @if (username(); as name) {
            <p>You are signed in as <strong data-testid="refused-user">{{ name }}</strong>, which does not have the admin role.</p>
          } @else {
            <p>This account does not have the admin role.</p>
          }
          <p>The Meridian admin console is only for staff with the admin role. Looking for the shop? Use the customer site instead.</p>
          <p><button type="button" (click)="sessions.signOut()">Sign out and use another account</button></p>
        }
      }
    </section>
  `,
  styles: `
    .refused { max-width: 36rem; margin: 2rem auto; border-top: 4px solid var(--danger); }
    .refused h1 { color: var(--danger); }
  `,
})
export class RefusedPage implements OnInit {
  readonly sessions = inject(SessionService);
  readonly username = computed(() => {
    const s = this.sessions.session();
    return s.state === 'refused' ? s.username : '';
  });

  ngOnInit(): void {
    // Landed here straight from the BFF's callback: ask it who was refused.
    void this.sessions.load();
  }
}

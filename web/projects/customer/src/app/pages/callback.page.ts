import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { problemMessage } from '@shared/problem';
import { AuthService } from '../auth.service';

/** The redirect target of the sign-in (redirect_uri = <origin>/callback). */
@Component({
  selector: 'app-callback-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error()) {
      <p class="error" role="alert">Sign-in failed: {{ error() }}</p>
      <a routerLink="/">Back to the start page</a>
    } @else {
      <p class="loading" role="status">Signing you in…</p>
    }
  `,
})
export class CallbackPage implements OnInit {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  readonly error = signal('');

  async ngOnInit(): Promise<void> {
    try {
      const next = await this.auth.completeSignIn();
      await this.router.navigateByUrl(next, { replaceUrl: true });
    } catch (error) {
      this.error.set(problemMessage(error));
    }
  }
}

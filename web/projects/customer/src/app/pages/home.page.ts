import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from '../auth.service';

@Component({
  selector: 'app-home-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card stack">
      <h1>Welcome to Meridian</h1>
      @if (auth.signedIn()) {
        <p>Signed in as <strong>{{ auth.displayName() }}</strong>.</p>
        <p><a class="button" routerLink="/products">Browse products</a></p>
      } @else {
        <p>Sign in to browse products, fill your cart and follow your orders live.</p>
        <p><button type="button" (click)="auth.signIn()">Sign in</button></p>
      }
    </section>
  `,
})
export class HomePage {
  readonly auth = inject(AuthService);
}

import { inject } from '@angular/core';
import { CanActivateFn } from '@angular/router';
import { AuthService } from './auth.service';

/** Pages that call the gateway need a signed-in customer: otherwise start the sign-in and come back. */
export const signedInGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  await auth.ready();
  if (auth.signedIn()) return true;
  await auth.signIn(state.url);
  return false;
};

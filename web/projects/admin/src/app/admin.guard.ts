import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { SessionService } from './session.service';

/** Admin pages: signed in through the BFF with the admin role; customers get the refusal page. */
export const adminGuard: CanActivateFn = async (_route, state) => {
  const sessions = inject(SessionService);
  const router = inject(Router);
  const session = await sessions.load();
  switch (session.state) {
    case 'admin':
      return true;
    case 'refused':
      return router.createUrlTree(['/refused']);
    default:
      return router.createUrlTree(['/sign-in'], { queryParams: { returnTo: state.url } });
  }
};

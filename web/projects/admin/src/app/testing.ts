import { Provider } from '@angular/core';
import { Me, SessionService } from './session.service';

export const adminMe: Me = { username: 'ada', roles: ['admin'], csrfToken: 'csrf-abc' };

/** A signed-in admin for component tests (the real BFF sign-in runs in the end-to-end tests). */
export function adminSessionProviders(me: Me = adminMe): Provider[] {
  return [
    {
      provide: SessionService,
      useValue: {
        me: () => me,
        csrfToken: () => me.csrfToken,
        session: () => ({ state: 'admin', me }),
        load: () => Promise.resolve({ state: 'admin', me }),
      },
    },
  ];
}

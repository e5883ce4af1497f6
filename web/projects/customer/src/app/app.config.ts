import { APP_BOOTSTRAP_LISTENER, ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { Router, provideRouter, withComponentInputBinding, withDisabledInitialNavigation } from '@angular/router';
import { routes } from './app.routes';
import { authInterceptor } from './auth.interceptor';

/**
 * Start-up runs as three main-thread tasks instead of one: the injectors, then the shell (header, menu), then the
 * first navigation and its page. In one task they block a mid-tier phone's main thread for about a quarter of a
 * second (Lighthouse's total blocking time); between tasks the browser paints and answers input.
 */
const yieldToBrowser = (): Promise<void> => new Promise((resolve) => setTimeout(resolve));

function navigateAfterBootstrap(): () => void {
  const router = inject(Router);
  return () => setTimeout(() => router.initialNavigation());
}

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideAppInitializer(yieldToBrowser),
    provideRouter(routes, withComponentInputBinding(), withDisabledInitialNavigation()),
    { provide: APP_BOOTSTRAP_LISTENER, multi: true, useFactory: navigateAfterBootstrap },
    provideHttpClient(withInterceptors([authInterceptor])),
  ],
};

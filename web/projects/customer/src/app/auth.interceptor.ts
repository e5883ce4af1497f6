import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';

/**
 * Adds the bearer token to calls to the gateway, and to nothing else. A 401 to a call that carried a token means
 * the session is over: the app then shows "Sign in again" instead of a raw token error.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const config = inject(RUNTIME_CONFIG);
  const auth = inject(AuthService);
  const token = auth.accessToken();
  if (!token || !request.url.startsWith(config.apiBase + '/')) return next(request);
  return next(request.clone({ setHeaders: { Authorization: `Bearer ${token}` } })).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401) auth.reportSessionEnded();
      return throwError(() => error);
    }),
  );
};

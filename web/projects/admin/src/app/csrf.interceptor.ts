import { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { SessionService } from './session.service';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The BFF refuses unsafe methods without the session's CSRF token (double-submit defence). */
export const csrfInterceptor: HttpInterceptorFn = (request, next) => {
  if (safeMethods.has(request.method) || !request.url.startsWith('/api/')) return next(request);
  const token = inject(SessionService).csrfToken();
  return next(token ? request.clone({ setHeaders: { 'X-CSRF-Token': token } }) : request);
};

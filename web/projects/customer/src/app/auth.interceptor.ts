import { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';

/** Adds the bearer token to calls to the gateway, and to nothing else. */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const config = inject(RUNTIME_CONFIG);
  const token = inject(AuthService).accessToken();
  if (!token || !request.url.startsWith(config.apiBase + '/')) return next(request);
  return next(request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }));
};

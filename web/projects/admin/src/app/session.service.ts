import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

/** GET /auth/me of the admin BFF. */
export interface Me {
  username: string;
  roles: string[];
  csrfToken: string;
}

export type Session =
  | { state: 'unknown' }
  | { state: 'anonymous' }
  | { state: 'refused'; username: string }
  | { state: 'admin'; me: Me }
  | { state: 'error'; message: string };

/**
 * The admin's session lives in the BFF (server side, cookie bound); the browser only learns who it is and the
 * CSRF token for unsafe calls. Tokens and the client secret never reach the browser.
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly current = signal<Session>({ state: 'unknown' });
  private pending: Promise<Session> | null = null;

  readonly session = this.current.asReadonly();
  readonly me = computed(() => {
    const s = this.current();
    return s.state === 'admin' ? s.me : null;
  });

  csrfToken(): string | null {
    return this.me()?.csrfToken ?? null;
  }

  /** Loads /auth/me once (again with force). */
  load(force = false): Promise<Session> {
    if (!force && this.current().state !== 'unknown') return Promise.resolve(this.current());
    if (!force && this.pending) return this.pending;
    this.pending = firstValueFrom(this.http.get<Me>('/auth/me'))
      .then((me): Session =>
        me.roles.includes('admin') ? { state: 'admin', me } : { state: 'refused', username: me.username },
      )
      .catch((error: unknown): Session => {
        if (error instanceof HttpErrorResponse && error.status === 401) return { state: 'anonymous' };
        if (error instanceof HttpErrorResponse && error.status === 403) {
          const body = error.error as { username?: string } | null;
          return { state: 'refused', username: body?.username ?? '' };
        }
        return { state: 'error', message: 'The admin console could not reach its server.' };
      })
      .then((session) => {
        this.current.set(session);
        this.pending = null;
        return session;
      });
    return this.pending;
  }

  signIn(returnTo = '/orders'): void {
    window.location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  }

  /** Ends the BFF session (and, through the BFF, the IdP session), then goes where the BFF says. */
  async signOut(): Promise<void> {
    const csrf = this.csrfToken();
    let next = '/';
    try {
      const response = await fetch('/auth/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: csrf ? { 'X-CSRF-Token': csrf, Accept: 'application/json' } : { Accept: 'application/json' },
        redirect: 'manual',
      });
      const body = response.headers.get('content-type')?.includes('json')
        ? ((await response.json()) as { logoutUrl?: string; redirectTo?: string })
        : {};
      next = body.logoutUrl ?? body.redirectTo ?? '/';
    } catch {
      // Offline or the BFF is gone: forgetting the local view of the session is all that can be done.
    }
    this.current.set({ state: 'anonymous' });
    window.location.assign(next);
  }
}

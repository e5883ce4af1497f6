import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

/** GET /auth/me of the admin BFF. */
export interface Me {
  username: string;
  /** The admin's user id (what audit records name as the actor of their changes). */
  sub?: string;
  roles: string[];
  csrfToken: string;
}

/**
 * The service worker keeps recent API answers for offline use; they belong to the session that loaded them, so
 * signing out drops them (the shell's own caches stay, so the sign-in page still works offline).
 */
export async function forgetCachedData(): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const names = (await caches.keys()).filter((name) => name.includes(':data:'));
  await Promise.all(names.map((name) => caches.delete(name)));
  return names.length;
}

const identityKey = 'meridian.admin.identity.v1';

/** Who was last signed in (name and roles only, never a token): what the console shows while offline. */
function rememberIdentity(me: Me): void {
  localStorage.setItem(identityKey, JSON.stringify({ username: me.username, roles: me.roles }));
}

function forgetIdentity(): void {
  localStorage.removeItem(identityKey);
}

function rememberedIdentity(): Omit<Me, 'csrfToken'> | null {
  try {
    const value = JSON.parse(localStorage.getItem(identityKey) ?? 'null') as { username?: unknown; roles?: unknown } | null;
    return value && typeof value.username === 'string' && Array.isArray(value.roles)
      ? { username: value.username, roles: value.roles.filter((r): r is string => typeof r === 'string') }
      : null;
  } catch {
    return null;
  }
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
  /** The session shown is the remembered one (BFF unreachable): ask again as soon as the network returns. */
  private offline = false;

  constructor() {
    window.addEventListener('online', () => void this.recheckAfterReconnect());
  }

  /**
   * `online` can fire a moment before requests get through (the service worker may still see no network), so
   * a session shown from memory is asked for again a few times, with growing pauses, until the BFF answers.
   */
  private async recheckAfterReconnect(): Promise<void> {
    for (const pauseMs of [0, 1_000, 2_000, 4_000, 8_000]) {
      if (!this.offline || !navigator.onLine) return;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      await this.load(true);
    }
  }

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
      .then((me): Session => {
        this.offline = false;
        rememberIdentity(me);
        return me.roles.includes('admin') ? { state: 'admin', me } : { state: 'refused', username: me.username };
      })
      .catch((error: unknown): Session => {
        this.offline = false;
        if (error instanceof HttpErrorResponse && error.status === 401) {
          forgetIdentity();
          return { state: 'anonymous' };
        }
        if (error instanceof HttpErrorResponse && error.status === 403) {
          forgetIdentity();
          const body = error.error as { username?: string } | null;
          return { state: 'refused', username: body?.username ?? '' };
        }
        // Offline (or the BFF unreachable): an installed console keeps showing who was signed in and the data
        // the service worker kept; nothing unsafe can be sent without the BFF anyway (no CSRF token offline).
        const known = rememberedIdentity();
        if (known && known.roles.includes('admin')) {
          this.offline = true;
          return { state: 'admin', me: { ...known, csrfToken: '' } };
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

  signIn(returnTo = '/'): void {
    window.location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  }

  /** Ends the BFF session (and, through the BFF, the IdP session), then goes where the BFF says. */
  async signOut(): Promise<void> {
    // Without a token (the session was shown from memory while offline) ask the BFF for it first.
    if (!this.csrfToken()) await this.load(true);
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
    forgetIdentity();
    await forgetCachedData();
    window.location.assign(next);
  }
}

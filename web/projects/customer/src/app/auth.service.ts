import { Injectable, computed, inject, signal } from '@angular/core';
import type { User, UserManager } from 'oidc-client-ts';
import { RUNTIME_CONFIG } from './config';

/** Where the browser returns after sign-in; kept in the OIDC state. */
interface SignInState {
  returnUrl: string;
}

/** oidc-client-ts keeps the signed-in user under this prefix in sessionStorage. */
const storedUserPrefix = 'oidc.user:';

function hasStoredSession(): boolean {
  try {
    return Object.keys(sessionStorage).some((k) => k.startsWith(storedUserPrefix));
  } catch {
    return false;
  }
}

/**
 * Sign-in with the public client `customer-spa`: authorization code + PKCE (S256) through oidc-client-ts.
 * Tokens live in sessionStorage (per tab, gone with the tab). Anonymous shoppers never load the OIDC library: it
 * is fetched when a stored session exists, at sign-in and on the way back from the IdP (a smaller first load).
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly config = inject(RUNTIME_CONFIG);
  private managerLoad: Promise<UserManager> | null = null;
  private readonly current = signal<User | null>(null);
  private readonly loaded: Promise<void>;
  /** A human sentence when the session could not be kept (renewal failed, the gateway refused the token). */
  private readonly problem = signal('');

  readonly sessionProblem = this.problem.asReadonly();
  readonly user = this.current.asReadonly();
  readonly signedIn = computed(() => {
    const user = this.current();
    return user !== null && !user.expired;
  });
  readonly displayName = computed(() => {
    const profile = this.current()?.profile;
    return (profile?.preferred_username as string | undefined) ?? profile?.name ?? profile?.sub ?? '';
  });

  constructor() {
    this.loaded = hasStoredSession()
      ? this.manager()
          .then((manager) => manager.getUser())
          .then((user) => this.current.set(user && !user.expired ? user : null))
          .catch(() => this.current.set(null))
      : Promise.resolve();
  }

  /** Resolves once a stored session (if any) has been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  accessToken(): string | null {
    const user = this.current();
    return user && !user.expired ? user.access_token : null;
  }

  /** The gateway refused the token (401): say so in words and offer to sign in again. */
  reportSessionEnded(): void {
    this.problem.set('Your session has ended. Sign in again to go on; your cart is kept.');
  }

  async signIn(returnUrl = '/'): Promise<void> {
    const state: SignInState = { returnUrl };
    await (await this.manager()).signinRedirect({ state });
  }

  /** Completes the redirect back from the IdP and answers where to go next. */
  async completeSignIn(): Promise<string> {
    const user = await (await this.manager()).signinRedirectCallback();
    this.current.set(user);
    this.problem.set('');
    const state = user.state as SignInState | undefined;
    return state?.returnUrl && /^\/(?!\/)/.test(state.returnUrl) ? state.returnUrl : '/';
  }

  async signOut(): Promise<void> {
    const manager = await this.manager();
    const user = this.current();
    await manager.removeUser();
    this.current.set(null);
    try {
      await manager.signoutRedirect({ id_token_hint: user?.id_token });
    } catch {
      // An IdP without an end-session endpoint: the local sign-out above is all there is.
      window.location.assign('/');
    }
  }

  private manager(): Promise<UserManager> {
    this.managerLoad ??= import('oidc-client-ts').then(({ UserManager, WebStorageStateStore }) => {
      const origin = window.location.origin;
      const manager = new UserManager({
        authority: this.config.issuer,
        client_id: this.config.clientId,
        redirect_uri: `${origin}/callback`,
        post_logout_redirect_uri: `${origin}/`,
        response_type: 'code',
        scope: this.config.scope,
        userStore: new WebStorageStateStore({ store: window.sessionStorage }),
        automaticSilentRenew: true,
        monitorSession: false,
      });
      manager.events.addUserLoaded((user) => {
        this.current.set(user);
        this.problem.set('');
      });
      manager.events.addUserUnloaded(() => this.current.set(null));
      // Renewal runs a minute before expiry: reaching expiry means it failed.
      manager.events.addAccessTokenExpired(() => {
        this.current.set(null);
        this.reportSessionEnded();
      });
      manager.events.addSilentRenewError(() => this.problem.set('Your session could not be renewed. Sign in again to go on; your cart is kept.'));
      return manager;
    });
    return this.managerLoad;
  }
}

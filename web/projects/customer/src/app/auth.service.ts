import { Injectable, computed, inject, signal } from '@angular/core';
import { User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { RUNTIME_CONFIG } from './config';

/** Where the browser returns after sign-in; kept in the OIDC state. */
interface SignInState {
  returnUrl: string;
}

/**
 * Sign-in with the public client `customer-spa`: authorization code + PKCE (S256) through oidc-client-ts.
 * Tokens live in sessionStorage (per tab, gone with the tab).
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly config = inject(RUNTIME_CONFIG);
  private readonly manager: UserManager;
  private readonly current = signal<User | null>(null);
  private readonly loaded: Promise<void>;

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
    const origin = window.location.origin;
    this.manager = new UserManager({
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
    this.manager.events.addUserLoaded((user) => this.current.set(user));
    this.manager.events.addUserUnloaded(() => this.current.set(null));
    this.manager.events.addAccessTokenExpired(() => this.current.set(null));
    this.loaded = this.manager.getUser().then((user) => this.current.set(user && !user.expired ? user : null));
  }

  /** Resolves once a stored session (if any) has been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  accessToken(): string | null {
    const user = this.current();
    return user && !user.expired ? user.access_token : null;
  }

  signIn(returnUrl = '/products'): Promise<void> {
    const state: SignInState = { returnUrl };
    return this.manager.signinRedirect({ state });
  }

  /** Completes the redirect back from the IdP and answers where to go next. */
  async completeSignIn(): Promise<string> {
    const user = await this.manager.signinRedirectCallback();
    this.current.set(user);
    const state = user.state as SignInState | undefined;
    return state?.returnUrl && state.returnUrl.startsWith('/') ? state.returnUrl : '/products';
  }

  async signOut(): Promise<void> {
    const user = this.current();
    await this.manager.removeUser();
    this.current.set(null);
    try {
      await this.manager.signoutRedirect({ id_token_hint: user?.id_token });
    } catch {
      // An IdP without an end-session endpoint: the local sign-out above is all there is.
      window.location.assign('/');
    }
  }
}

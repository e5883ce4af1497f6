import { Provider, signal } from '@angular/core';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG, RuntimeConfig } from './config';
import { ShopOrder } from './shop-models';

export const testConfig: RuntimeConfig = {
  issuer: 'http://localhost:8081/realms/meridian',
  clientId: 'customer-spa',
  scope: 'openid orders.read orders.write inventory.read notifications.read',
  apiBase: '/api',
  currency: 'EUR',
};

/** Stands in for AuthService in component tests (the real sign-in runs in the end-to-end tests). */
export class FakeAuth {
  readonly sessionProblem = signal('');
  readonly signedIn = signal(true);
  readonly signIn = vi.fn(async (_returnUrl?: string) => undefined);
  constructor(private readonly token: string | null) {
    this.signedIn.set(token !== null);
  }
  accessToken(): string | null {
    return this.token;
  }
  displayName(): string {
    return 'alice';
  }
  reportSessionEnded(): void {
    this.sessionProblem.set('Your session has ended. Sign in again to go on; your cart is kept.');
  }
}

/** A signed-in customer for component tests. */
export function signedInProviders(token = 'test-access-token'): Provider[] {
  return [
    { provide: RUNTIME_CONFIG, useValue: testConfig },
    { provide: AuthService, useValue: new FakeAuth(token) },
  ];
}

/** An anonymous shopper (catalogue and cart work; checkout asks to sign in). */
export function signedOutProviders(): Provider[] {
  return [
    { provide: RUNTIME_CONFIG, useValue: testConfig },
    { provide: AuthService, useValue: new FakeAuth(null) },
  ];
}

/** An order of one hand burr grinder, as the orders API answers it. */
export function order(id: string, status: ShopOrder['status'], extra: Partial<ShopOrder> = {}): ShopOrder {
  return {
    id,
    customerId: 'alice',
    status,
    lines: [{ sku: 'GRIND-1', name: 'Hand burr grinder', quantity: 1, unitPrice: 89 }],
    total: 89,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...extra,
  };
}

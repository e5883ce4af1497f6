import { Provider } from '@angular/core';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG, RuntimeConfig } from './config';

export const testConfig: RuntimeConfig = {
  issuer: 'http://localhost:8081/realms/meridian',
  clientId: 'customer-spa',
  scope: 'openid orders.read orders.write inventory.read notifications.read',
  apiBase: '/api',
  currency: 'EUR',
};

/** A signed-in customer for component tests (the real sign-in runs in the end-to-end tests). */
export function signedInProviders(token = 'test-access-token'): Provider[] {
  return [
    { provide: RUNTIME_CONFIG, useValue: testConfig },
    { provide: AuthService, useValue: { accessToken: () => token, signedIn: () => true, displayName: () => 'alice' } },
  ];
}

import { InjectionToken } from '@angular/core';

/** Read at start-up from /config.json so that one build serves every environment. */
export interface RuntimeConfig {
  /** OIDC issuer: the dev IdP locally, Keycloak in compose and Kubernetes. */
  issuer: string;
  clientId: string;
  scope: string;
  /** Base URL of the gateway routes (/orders, /inventory, /notifications) as the browser reaches them. */
  apiBase: string;
  currency: string;
}

export const RUNTIME_CONFIG = new InjectionToken<RuntimeConfig>('RUNTIME_CONFIG');

const defaults: Omit<RuntimeConfig, 'issuer'> = {
  clientId: 'customer-spa',
  scope: 'openid profile orders.read orders.write inventory.read notifications.read',
  apiBase: '/api',
  currency: 'EUR',
};

export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('config.json must hold a JSON object');
  const value = raw as Partial<Record<keyof RuntimeConfig, unknown>>;
  if (typeof value.issuer !== 'string' || !/^https?:\/\//.test(value.issuer)) {
    throw new Error('config.json: "issuer" must be an http(s) URL');
  }
  const pick = (key: keyof typeof defaults): string =>
    typeof value[key] === 'string' && value[key] !== '' ? (value[key] as string) : defaults[key];
  return {
    issuer: value.issuer.replace(/\/$/, ''),
    clientId: pick('clientId'),
    scope: pick('scope'),
    apiBase: pick('apiBase').replace(/\/$/, ''),
    currency: pick('currency'),
  };
}

export async function loadRuntimeConfig(url = '/config.json'): Promise<RuntimeConfig> {
  // The default cache mode, so the <link rel="preload"> in index.html is used; the server sends no-store.
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return parseRuntimeConfig(await response.json());
}

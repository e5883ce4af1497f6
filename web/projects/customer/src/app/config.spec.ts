import { parseRuntimeConfig } from './config';

describe('parseRuntimeConfig', () => {
  it('when only the issuer is given, then the public client, scopes and /api base are the defaults', () => {
    const config = parseRuntimeConfig({ issuer: 'http://localhost:8081/realms/meridian/' });
    expect(config).toEqual({
      issuer: 'http://localhost:8081/realms/meridian',
      clientId: 'customer-spa',
      scope: 'openid profile orders.read orders.write inventory.read notifications.read',
      apiBase: '/api',
      currency: 'EUR',
    });
  });

  it('when the environment sets its own gateway URL, then it is used without a trailing slash', () => {
    expect(parseRuntimeConfig({ issuer: 'https://id.example/realms/meridian', apiBase: 'https://api.example/' }).apiBase).toBe('https://api.example');
  });

  it('when the issuer is missing or not a URL, then the config is refused', () => {
    expect(() => parseRuntimeConfig({})).toThrow(/issuer/);
    expect(() => parseRuntimeConfig({ issuer: 'localhost:8081' })).toThrow(/issuer/);
    expect(() => parseRuntimeConfig(null)).toThrow(/object/);
  });
});

import { money } from './money';

describe('money', () => {
  it('when an amount is written, then it has the currency symbol and the currency’s digits, as the shop shows prices', () => {
    expect(money(12.5, 'EUR')).toBe('€12.50');
    expect(money(1234, 'USD')).toBe('$1,234.00');
    expect(money(500, 'JPY')).toBe('¥500');
  });
});

import { TestBed } from '@angular/core/testing';
import { CartService } from './cart.service';

describe('CartService', () => {
  beforeEach(() => localStorage.clear());

  function create(): CartService {
    TestBed.resetTestingModule();
    return TestBed.inject(CartService);
  }

  it('when the same product is added twice, then one line holds the summed quantity and the total follows', () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 }, 2);
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 }, 1);
    cart.add({ sku: 'TEA-2', name: 'Tea', unitPrice: 3.1 });
    expect(cart.lines()).toEqual([
      { sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, quantity: 3 },
      { sku: 'TEA-2', name: 'Tea', unitPrice: 3.1, quantity: 1 },
    ]);
    expect(cart.count()).toBe(4);
    expect(cart.total()).toBe(40.6);
  });

  it('when more is added or set than the catalogue allows, then the line stops at the limit and says how many were added', () => {
    const cart = create();
    const grinder = { sku: 'GRIND-1', name: 'Hand burr grinder', unitPrice: 89, limit: 3 };
    expect(cart.add(grinder, 2)).toBe(2);
    expect(cart.add(grinder, 5)).toBe(1);
    expect(cart.add(grinder, 1)).toBe(0);
    expect(cart.quantityOf('GRIND-1')).toBe(3);
    expect(cart.setQuantity('GRIND-1', 9)).toBe(3);
    expect(cart.quantityOf('GRIND-1')).toBe(3);
  });

  it('when the catalogue lowers the limit, then a line above it is lowered to it', () => {
    const cart = create();
    cart.add({ sku: 'GRIND-1', name: 'Hand burr grinder', unitPrice: 89, limit: 5 }, 5);
    cart.refresh('GRIND-1', { limit: 2 });
    expect(cart.quantityOf('GRIND-1')).toBe(2);
  });

  it('when the cart is unchanged, then the checkout key stays the same; when it changes, then a new key is used', () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 });
    const first = cart.checkoutKey();
    expect(first).toMatch(/^.{8,128}$/);
    expect(cart.checkoutKey()).toBe(first);
    cart.refresh('MUG-1', { image: '/products/mug.svg' });
    expect(cart.checkoutKey()).toBe(first);
    cart.setQuantity('MUG-1', 2);
    expect(cart.checkoutKey()).not.toBe(first);
  });

  it('when the quantity is set below 1, then the line is removed', () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 });
    cart.setQuantity('MUG-1', 0);
    expect(cart.lines()).toEqual([]);
  });

  it('when the page is reloaded (e.g. back from the sign-in), then the cart is restored from localStorage', async () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, image: '/products/mug.svg', limit: 4 }, 2);
    TestBed.tick();
    const restored = create();
    expect(restored.lines()).toEqual([{ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, image: '/products/mug.svg', limit: 4, quantity: 2 }]);
  });

  it('when the app starts with a stored cart or none, then nothing is written back until the cart changes', () => {
    localStorage.setItem('meridian.cart.v2', JSON.stringify([{ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, quantity: 2 }]));
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    try {
      const cart = create();
      TestBed.tick();
      expect(cart.count()).toBe(2);
      localStorage.clear();
      create();
      TestBed.tick();
      expect(setItem).not.toHaveBeenCalled();
      TestBed.inject(CartService).add({ sku: 'TEA-2', name: 'Tea', unitPrice: 3.1 });
      TestBed.tick();
      expect(setItem).toHaveBeenCalledTimes(1);
      expect(JSON.parse(localStorage.getItem('meridian.cart.v2') ?? '[]')).toEqual([{ sku: 'TEA-2', name: 'Tea', unitPrice: 3.1, quantity: 1 }]);
    } finally {
      setItem.mockRestore();
    }
  });
});

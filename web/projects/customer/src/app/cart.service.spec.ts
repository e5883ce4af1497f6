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

  it('when the cart is unchanged, then the checkout key stays the same; when it changes, then a new key is used', () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 });
    const first = cart.checkoutKey();
    expect(first).toMatch(/^.{8,128}$/);
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

  it('when the page is reloaded, then the cart is restored from localStorage', async () => {
    const cart = create();
    cart.add({ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5 }, 2);
    TestBed.tick();
    const restored = create();
    expect(restored.lines()).toEqual([{ sku: 'MUG-1', name: 'Mug', unitPrice: 12.5, quantity: 2 }]);
  });
});

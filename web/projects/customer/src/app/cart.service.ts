import { Injectable, computed, effect, signal } from '@angular/core';
import { newIdempotencyKey } from '@shared/idempotency';

export interface CartLine {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

const storageKey = 'meridian.cart.v1';
export const maxQuantity = 1000;
export const maxLines = 50;

function restore(): CartLine[] {
  try {
    const raw = localStorage.getItem(storageKey);
    const lines: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(lines)
      ? lines.filter((l): l is CartLine => typeof l?.sku === 'string' && Number.isInteger(l?.quantity) && l.quantity > 0)
      : [];
  } catch {
    return [];
  }
}

/**
 * The cart, kept in localStorage. It also holds the checkout's Idempotency-Key: one key per cart content, so
 * a repeated submit (double click, retry after a network error) sends the same key and makes one order; any
 * change to the cart starts a new key.
 */
@Injectable({ providedIn: 'root' })
export class CartService {
  private readonly state = signal<CartLine[]>(restore());
  private key = newIdempotencyKey();

  readonly lines = this.state.asReadonly();
  readonly count = computed(() => this.state().reduce((sum, l) => sum + l.quantity, 0));
  readonly total = computed(() => Math.round(this.state().reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) * 100) / 100);

  constructor() {
    effect(() => localStorage.setItem(storageKey, JSON.stringify(this.state())));
  }

  add(item: Omit<CartLine, 'quantity'>, quantity = 1): void {
    const lines = this.state();
    const existing = lines.find((l) => l.sku === item.sku);
    if (!existing && lines.length >= maxLines) throw new Error(`A cart holds at most ${maxLines} different products.`);
    this.update(
      existing
        ? lines.map((l) => (l.sku === item.sku ? { ...l, quantity: Math.min(maxQuantity, l.quantity + quantity) } : l))
        : [...lines, { ...item, quantity: Math.min(maxQuantity, quantity) }],
    );
  }

  setQuantity(sku: string, quantity: number): void {
    if (!Number.isInteger(quantity) || quantity < 1) return this.remove(sku);
    this.update(this.state().map((l) => (l.sku === sku ? { ...l, quantity: Math.min(maxQuantity, quantity) } : l)));
  }

  remove(sku: string): void {
    this.update(this.state().filter((l) => l.sku !== sku));
  }

  clear(): void {
    this.update([]);
  }

  checkoutKey(): string {
    return this.key;
  }

  /** After the service refused the order as invalid (no order exists), a corrected retry gets a fresh key. */
  renewCheckoutKey(): void {
    this.key = newIdempotencyKey();
  }

  private update(lines: CartLine[]): void {
    this.state.set(lines);
    this.key = newIdempotencyKey();
  }
}

import { Injectable, computed, effect, signal } from '@angular/core';
import { newIdempotencyKey } from '@shared/idempotency';

export interface CartLine {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
  /** Picture path from the catalogue ("" when the product has none). */
  image?: string;
  /** How many one order line may ask for, as the catalogue last said (min(available, 10)). */
  limit?: number;
}

export type CartItem = Omit<CartLine, 'quantity'>;

const storageKey = 'meridian.cart.v2';
/** The orders API refuses more than this per line whatever the stock. */
export const maxQuantity = 1000;
export const maxLines = 50;

function isLine(value: unknown): value is CartLine {
  const l = value as Partial<CartLine> | null;
  return typeof l?.sku === 'string' && typeof l.name === 'string' && typeof l.unitPrice === 'number' && Number.isInteger(l.quantity) && (l.quantity ?? 0) > 0;
}

/** The stored lines, and the stored text itself (null when there is none). */
function restore(): { lines: CartLine[]; stored: string | null } {
  try {
    const stored = localStorage.getItem(storageKey);
    const lines: unknown = stored ? JSON.parse(stored) : [];
    return { lines: Array.isArray(lines) ? lines.filter(isLine) : [], stored };
  } catch {
    return { lines: [], stored: null };
  }
}

/** The most a line may hold: the catalogue's limit when known, the API's cap otherwise. */
export function lineLimit(line: Pick<CartLine, 'limit'>): number {
  return line.limit === undefined ? maxQuantity : Math.min(line.limit, maxQuantity);
}

/**
 * The cart, kept in localStorage: it survives reloads and the sign-in round trip (the IdP redirect leaves the
 * page). It also holds the checkout's Idempotency-Key: one key per cart content, so a repeated submit (double
 * click, retry after a network error) sends the same key and makes one order; any change starts a new key.
 */
@Injectable({ providedIn: 'root' })
export class CartService {
  private readonly restored = restore();
  private readonly state = signal<CartLine[]>(this.restored.lines);
  /** What localStorage holds: the cart is written only when it changed, not back at every start. */
  private stored = this.restored.stored;
  private key = newIdempotencyKey();

  readonly lines = this.state.asReadonly();
  readonly count = computed(() => this.state().reduce((sum, l) => sum + l.quantity, 0));
  readonly total = computed(() => Math.round(this.state().reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) * 100) / 100);

  constructor() {
    effect(() => {
      const json = JSON.stringify(this.state());
      if (json === this.stored || (this.stored === null && json === '[]')) return;
      localStorage.setItem(storageKey, json);
      this.stored = json;
    });
  }

  quantityOf(sku: string): number {
    return this.state().find((l) => l.sku === sku)?.quantity ?? 0;
  }

  /** Adds up to the line's limit and answers how many were actually added (0 when none fit). */
  add(item: CartItem, quantity = 1): number {
    const lines = this.state();
    const existing = lines.find((l) => l.sku === item.sku);
    if (!existing && lines.length >= maxLines) throw new Error(`A cart holds at most ${maxLines} different products.`);
    const limit = lineLimit(item);
    const before = existing?.quantity ?? 0;
    const after = Math.min(limit, before + Math.max(0, quantity));
    if (after <= before) return 0;
    this.update(existing ? lines.map((l) => (l.sku === item.sku ? { ...l, ...item, quantity: after } : l)) : [...lines, { ...item, quantity: after }]);
    return after - before;
  }

  /** Sets a line's quantity within its limit (below 1 removes it); answers the quantity kept. */
  setQuantity(sku: string, quantity: number): number {
    if (!Number.isInteger(quantity) || quantity < 1) {
      this.remove(sku);
      return 0;
    }
    const line = this.state().find((l) => l.sku === sku);
    if (!line) return 0;
    const kept = Math.min(lineLimit(line), quantity);
    if (kept !== line.quantity) this.update(this.state().map((l) => (l.sku === sku ? { ...l, quantity: kept } : l)));
    return kept;
  }

  /** The catalogue's current word on a line (price, picture, limit); a line over its new limit is lowered. */
  refresh(sku: string, item: Partial<CartItem>): void {
    this.update(
      this.state().map((l) => {
        if (l.sku !== sku) return l;
        const next = { ...l, ...item };
        return { ...next, quantity: Math.min(next.quantity, Math.max(lineLimit(next), 1)) };
      }),
    );
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

  /** What is ordered changed (a product or a quantity, not a picture or a limit): a new checkout key. */
  private update(lines: CartLine[]): void {
    const content = (ls: CartLine[]) => JSON.stringify(ls.map((l) => [l.sku, l.quantity]));
    const changed = content(lines) !== content(this.state());
    this.state.set(lines);
    if (changed) this.key = newIdempotencyKey();
  }
}

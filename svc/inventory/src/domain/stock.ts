/**
 * The stock rules, free of storage: what an order line may take, what it lacks, and how far on-hand stock may fall.
 * The store (src/store) locks the rows and applies these answers inside its transactions.
 */
import type { Shortage } from "./product";

/** A quantity of one sku (an order line, a reservation line). */
export interface StockLine {
  sku: string;
  quantity: number;
}

/** What the store holds of a product when the rule is asked. */
export interface StockLevel {
  sku: string;
  name: string;
  onHand: number;
  reserved: number;
}

/** Units that can still be reserved: on hand minus reserved. */
export function availableOf(level: Pick<StockLevel, "onHand" | "reserved">): number {
  return level.onHand - level.reserved;
}

/** Sums quantities per sku and sorts by sku: rows are then always locked in the same order (no deadlocks). */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * The lines that cannot be reserved in full, in the order of `lines`: a line asking more than is available, or a
 * sku with no product (nothing available; named by its sku). An empty answer means every line can be reserved.
 */
export function shortagesOf(lines: readonly StockLine[], levels: readonly StockLevel[]): Shortage[] {
  const bySku = new Map(levels.map((level) => [level.sku, level]));
  const shortages: Shortage[] = [];
  for (const line of lines) {
    const level = bySku.get(line.sku);
    const available = level ? availableOf(level) : 0;
    if (available < line.quantity) {
      shortages.push({ sku: line.sku, name: level?.name ?? line.sku, requested: line.quantity, available: Math.max(0, available) });
    }
  }
  return shortages;
}

/** On-hand stock after adjusting by `delta`, or undefined when it would fall below what is reserved. */
export function adjustedOnHand(level: Pick<StockLevel, "onHand" | "reserved">, delta: number): number | undefined {
  const onHand = level.onHand + delta;
  return onHand < level.reserved ? undefined : onHand;
}

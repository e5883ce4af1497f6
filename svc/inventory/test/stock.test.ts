/** The stock rules alone (src/domain/stock.ts); the store applies them under row locks (reservations.test.ts). */
import { describe, expect, test } from "bun:test";
import { adjustedOnHand, availableOf, mergeLines, shortagesOf, type StockLevel } from "../src/domain/stock";

const level = (sku: string, onHand: number, reserved: number): StockLevel => ({ sku, name: `Product ${sku}`, onHand, reserved });

describe("stock rules", () => {
  test("when lines repeat a sku, then they are merged into one line per sku, sorted by sku", () => {
    expect(
      mergeLines([
        { sku: "B-1", quantity: 2 },
        { sku: "A-1", quantity: 1 },
        { sku: "B-1", quantity: 3 },
      ]),
    ).toEqual([
      { sku: "A-1", quantity: 1 },
      { sku: "B-1", quantity: 5 },
    ]);
  });

  test("when every line fits what is on hand minus reserved, then there is no shortage (a line may take the last unit)", () => {
    expect(availableOf(level("A-1", 10, 4))).toBe(6);
    expect(shortagesOf([{ sku: "A-1", quantity: 6 }], [level("A-1", 10, 4)])).toEqual([]);
  });

  test("when a line asks more than is available, then its shortage names the product, the request and what is available", () => {
    const shortages = shortagesOf(
      [
        { sku: "A-1", quantity: 7 },
        { sku: "B-1", quantity: 1 },
      ],
      [level("A-1", 10, 4), level("B-1", 5, 0)],
    );
    expect(shortages).toEqual([{ sku: "A-1", name: "Product A-1", requested: 7, available: 6 }]);
  });

  test("when a sku has no product, then it is short of everything and named by its sku", () => {
    expect(shortagesOf([{ sku: "GONE-1", quantity: 1 }], [])).toEqual([{ sku: "GONE-1", name: "GONE-1", requested: 1, available: 0 }]);
  });

  test("when more is reserved than on hand, then the shortage reports 0 available, never a negative", () => {
    expect(shortagesOf([{ sku: "A-1", quantity: 1 }], [level("A-1", 2, 3)])).toEqual([
      { sku: "A-1", name: "Product A-1", requested: 1, available: 0 },
    ]);
  });

  test("when an adjustment would leave less on hand than is reserved, then it is refused; down to exactly reserved, it is allowed", () => {
    expect(adjustedOnHand(level("A-1", 10, 4), -7)).toBeUndefined();
    expect(adjustedOnHand(level("A-1", 10, 4), -6)).toBe(4);
    expect(adjustedOnHand(level("A-1", 10, 4), 5)).toBe(15);
  });
});

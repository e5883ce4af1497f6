/** Money crosses the API as a major-unit number with 2 decimals (12.5) and is stored as integer minor units. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** The admin dashboard's figures (docs/api.md `OrderStats`), from per-hour, per-status aggregates. */
import type { OrderStatsRow } from "../store/types";
import { fromCents, type OrderStatus } from "./order";

export interface OrderStats {
  from: string;
  to: string;
  orders: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  shipped: number;
  pending: number;
  /** Sum of the totals of confirmed and shipped orders. */
  revenue: number;
  /** (confirmed + shipped) / orders; 0 without orders. */
  confirmationRate: number;
  /** rejected / orders; 0 without orders. */
  rejectionRate: number;
  perHour: { hour: string; orders: number; revenue: number }[];
}

export const HOUR_MS = 3_600_000;
/** The widest range one request may ask for (31 days of hours). */
export const MAX_STATS_RANGE_MS = 31 * 24 * HOUR_MS;

const EARNING: readonly OrderStatus[] = ["confirmed", "shipped"];

/** Today in UTC: [00:00, next 00:00). */
export function todayUtc(now = new Date()): { from: Date; to: Date } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from, to: new Date(from.getTime() + 24 * HOUR_MS) };
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);

/** Every hour that starts in [floor(from), to), with zeros where nothing was ordered. */
function hoursOf(from: Date, to: Date): number[] {
  const hours: number[] = [];
  for (let h = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; h < to.getTime(); h += HOUR_MS) hours.push(h);
  return hours;
}

export function summariseStats(from: Date, to: Date, rows: readonly OrderStatsRow[]): OrderStats {
  const byStatus: Record<OrderStatus, number> = { pending: 0, confirmed: 0, rejected: 0, cancelled: 0, shipped: 0 };
  const perHour = new Map(hoursOf(from, to).map((h) => [h, { orders: 0, revenueCents: 0 }]));
  let revenueCents = 0;
  for (const row of rows) {
    byStatus[row.status] += row.orders;
    const earned = EARNING.includes(row.status) ? row.totalCents : 0;
    revenueCents += earned;
    const hour = perHour.get(row.hour.getTime());
    if (hour) {
      hour.orders += row.orders;
      hour.revenueCents += earned;
    }
  }
  const orders = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    orders,
    ...byStatus,
    revenue: fromCents(revenueCents),
    confirmationRate: ratio(byStatus.confirmed + byStatus.shipped, orders),
    rejectionRate: ratio(byStatus.rejected, orders),
    perHour: [...perHour].map(([h, v]) => ({ hour: new Date(h).toISOString(), orders: v.orders, revenue: fromCents(v.revenueCents) })),
  };
}

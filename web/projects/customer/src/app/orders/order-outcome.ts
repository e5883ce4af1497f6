import { AppNotification } from '@shared/models';
import { ShopOrder, Shortage } from '../shop-models';

/** The name a customer knows a line by: the name at order time, the sku only when an old order has none. */
export function lineName(line: { sku: string; name?: string }): string {
  return line.name?.trim() || line.sku;
}

function shortageText(s: Shortage): string {
  const left = s.available <= 0 ? 'none left' : `only ${s.available} left`;
  return `${s.requested} × ${s.name || s.sku}: ${left}`;
}

/** One or two sentences on where an order stands, in a customer's words (no skus, no system wording). */
export function orderOutcome(order: ShopOrder): string {
  switch (order.status) {
    case 'pending':
      return 'We received your order and are reserving your items.';
    case 'confirmed':
      return 'Your order is confirmed: your items are reserved for you.';
    case 'shipped':
      return 'Your order is on its way.';
    case 'cancelled':
      return 'This order was cancelled. Nothing was charged.';
    case 'rejected': {
      const shortages = order.shortages ?? [];
      if (shortages.length === 0) return 'We could not reserve your items. Your order was not placed; nothing was charged.';
      return `We could not reserve ${shortages.map(shortageText).join('; ')}. Your order was not placed; nothing was charged.`;
    }
  }
}

export type StepState = 'done' | 'current' | 'failed' | 'upcoming';

export interface TimelineStep {
  label: string;
  state: StepState;
  /** When it happened, if known (order creation, the notification about it, or the last update). */
  at?: string;
}

const kindOfStep: Record<string, string> = {
  Confirmed: 'order-confirmed',
  'Not placed': 'order-rejected',
  Shipped: 'order-shipped',
  Cancelled: 'order-cancelled',
};

/**
 * The status timeline of an order: Placed → Confirmed → Shipped, or Placed → Not placed, or … → Cancelled. Times
 * come from the customer's notifications about the order where one exists, else the order's last update for its
 * current step.
 */
export function orderTimeline(order: ShopOrder, notifications: AppNotification[] = []): TimelineStep[] {
  const when = (label: string, fallback?: string): string | undefined =>
    notifications.find((n) => n.orderId === order.id && n.kind === kindOfStep[label])?.createdAt ?? fallback;
  const placed: TimelineStep = { label: 'Placed', state: 'done', at: order.createdAt };
  switch (order.status) {
    case 'pending':
      return [{ ...placed, state: 'current' }, { label: 'Confirmed', state: 'upcoming' }, { label: 'Shipped', state: 'upcoming' }];
    case 'confirmed':
      return [placed, { label: 'Confirmed', state: 'current', at: when('Confirmed', order.updatedAt) }, { label: 'Shipped', state: 'upcoming' }];
    case 'shipped':
      return [placed, { label: 'Confirmed', state: 'done', at: when('Confirmed') }, { label: 'Shipped', state: 'current', at: when('Shipped', order.updatedAt) }];
    case 'rejected':
      return [placed, { label: 'Not placed', state: 'failed', at: when('Not placed', order.updatedAt) }];
    case 'cancelled': {
      const confirmedAt = when('Confirmed');
      return [
        placed,
        ...(confirmedAt ? [{ label: 'Confirmed', state: 'done' as const, at: confirmedAt }] : []),
        { label: 'Cancelled', state: 'failed', at: when('Cancelled', order.updatedAt) },
      ];
    }
  }
}

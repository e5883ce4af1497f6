import { order } from '../testing';
import { orderOutcome, orderTimeline } from './order-outcome';

describe('orderOutcome', () => {
  it('when several products were short, then each is named with what is left, and none left is said so', () => {
    const text = orderOutcome(
      order('o-1', 'rejected', {
        shortages: [
          { sku: 'GRIND-1', name: 'Hand burr grinder', requested: 5, available: 3 },
          { sku: 'MUG-1', name: 'Mug', requested: 2, available: 0 },
        ],
      }),
    );
    expect(text).toBe('We could not reserve 5 × Hand burr grinder: only 3 left; 2 × Mug: none left. Your order was not placed; nothing was charged.');
  });

  it('when a rejection has no detail, then the customer still reads that nothing was charged, never the system reason', () => {
    const text = orderOutcome(order('o-1', 'rejected', { rejectionReason: 'insufficient stock for GRIND-1' }));
    expect(text).toContain('nothing was charged');
    expect(text).not.toContain('GRIND-1');
  });
});

describe('orderTimeline', () => {
  it('when shipped, then placed, confirmed and shipped are shown with the times the notifications give', () => {
    const steps = orderTimeline(order('o-1', 'shipped', { updatedAt: '2026-11-25T12:00:00.000Z' }), [
      { id: 'n1', kind: 'order-confirmed', title: '', body: '', orderId: 'o-1', read: true, createdAt: '2026-11-25T10:00:02.000Z' },
    ]);
    expect(steps).toEqual([
      { label: 'Placed', state: 'done', at: '2026-11-25T10:00:00.000Z' },
      { label: 'Confirmed', state: 'done', at: '2026-11-25T10:00:02.000Z' },
      { label: 'Shipped', state: 'current', at: '2026-11-25T12:00:00.000Z' },
    ]);
  });

  it('when pending, then confirmation and shipping are still to come', () => {
    expect(orderTimeline(order('o-1', 'pending')).map((s) => s.state)).toEqual(['current', 'upcoming', 'upcoming']);
  });
});

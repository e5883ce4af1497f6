import { TestBed } from '@angular/core/testing';
import { AuditDocument } from '@shared/models';
import { Timeline, actionLabel } from './timeline';

function doc(id: string, action: string, timestamp: string): AuditDocument {
  return { id, entity: 'order', entityId: 'o-1', action, timestamp, actor: 'system', payload: { orderId: 'o-1' } };
}

describe('Timeline', () => {
  it('when event types are versioned routing keys, then the label is the readable event name', () => {
    expect(actionLabel('orders.order-confirmed.v1')).toBe('Order confirmed');
    expect(actionLabel('orders.order-created.v1')).toBe('Order placed');
    expect(actionLabel('inventory.stock-rejected.v1')).toBe('Stock reservation refused');
    expect(actionLabel('orders.order-archived.v2')).toBe('Order archived');
    expect(actionLabel('order-created')).toBe('Order created');
  });

  it('when documents arrive in any order, then the timeline lists them oldest first', async () => {
    const fixture = TestBed.createComponent(Timeline);
    fixture.componentRef.setInput('documents', [
      doc('3', 'orders.order-shipped.v1', '2026-11-25T10:00:03.000Z'),
      doc('1', 'orders.order-created.v1', '2026-11-25T10:00:01.000Z'),
      doc('2', 'orders.order-confirmed.v1', '2026-11-25T10:00:02.000Z'),
    ]);
    await fixture.whenStable();
    const items = [...fixture.nativeElement.querySelectorAll('li')].map((li: HTMLElement) => li.getAttribute('data-action'));
    expect(items).toEqual(['orders.order-created.v1', 'orders.order-confirmed.v1', 'orders.order-shipped.v1']);
    expect(fixture.nativeElement.querySelector('ol').getAttribute('aria-label')).toBe('Audit timeline');
  });

  it('when actors are user ids or services, then people are shown by name and services by what they are', async () => {
    const fixture = TestBed.createComponent(Timeline);
    fixture.componentRef.setInput('documents', [
      { ...doc('1', 'orders.order-created.v1', '2026-11-25T10:00:01.000Z'), actor: 'sub-alice' },
      { ...doc('2', 'orders.order-confirmed.v1', '2026-11-25T10:00:02.000Z'), actor: 'service:orders' },
    ]);
    fixture.componentRef.setInput('names', { 'sub-alice': 'Alice Liddell' });
    await fixture.whenStable();
    const whats = [...fixture.nativeElement.querySelectorAll('.what')].map((e: HTMLElement) => e.textContent?.replace(/\s+/g, ' ').trim());
    expect(whats).toEqual(['Order placed by Alice Liddell', 'Order confirmed by Orders service']);
  });

  it('when there is no history, then an empty state is shown', async () => {
    const fixture = TestBed.createComponent(Timeline);
    fixture.componentRef.setInput('documents', []);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('No audit entries yet');
  });
});

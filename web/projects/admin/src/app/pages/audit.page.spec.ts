import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ConfirmService } from '../confirm';
import { adminSessionProviders } from '../testing';
import { AuditPage, EVENTS_PAGE_SIZE } from './audit.page';

function event(position: number, type: string) {
  return { streamId: 'order-o1', streamPosition: position, type, messageId: `m${position}`, occurredAt: '2026-12-03T10:00:00Z', data: {} };
}

describe('AuditPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [AuditPage],
      providers: [...adminSessionProviders(), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('when events are listed, then each type has a human label, and Next asks for the next page', async () => {
    const fixture = TestBed.createComponent(AuditPage);
    await fixture.whenStable();
    fixture.componentInstance.loadEvents(1);
    const first = http.expectOne((r) => r.url === '/api/audit/events');
    expect(first.request.params.get('page')).toBe('1');
    expect(first.request.params.get('pageSize')).toBe(String(EVENTS_PAGE_SIZE));
    first.flush({ items: [event(0, 'orders.order-created.v1'), event(1, 'inventory.stock-reserved.v1')], page: 1, pageSize: EVENTS_PAGE_SIZE, total: 30 });
    await fixture.whenStable();
    const labels = [...fixture.nativeElement.querySelectorAll('td[data-label="Event"] .event')].map((e: HTMLElement) => e.textContent);
    expect(labels).toEqual(['Order placed', 'Stock reserved for an order']);
    expect(fixture.nativeElement.querySelector('[data-testid="events-page"]').textContent).toContain('Page 1 of 2 (30 events)');

    const next = [...fixture.nativeElement.querySelectorAll('nav[aria-label="Event pages"] button')].find((b: HTMLButtonElement) => b.textContent?.trim() === 'Next') as HTMLButtonElement;
    next.click();
    const second = http.expectOne((r) => r.url === '/api/audit/events');
    expect(second.request.params.get('page')).toBe('2');
    second.flush({ items: [event(25, 'orders.order-shipped.v1')], page: 2, pageSize: EVENTS_PAGE_SIZE, total: 30 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid="events-page"]').textContent).toContain('Page 2 of 2');
  });

  it('when the event type filter is set, then the options are labelled and the request carries the type', async () => {
    const fixture = TestBed.createComponent(AuditPage);
    await fixture.whenStable();
    const options = [...fixture.nativeElement.querySelectorAll('select[name="type"] option')].map((o: HTMLOptionElement) => o.textContent);
    expect(options).toContain('Order shipped');
    fixture.componentInstance.type = 'orders.order-shipped.v1';
    fixture.componentInstance.loadEvents(1);
    expect(http.expectOne((r) => r.url === '/api/audit/events').request.params.get('type')).toBe('orders.order-shipped.v1');
  });

  it('when a replay is asked, then it runs only after the admin confirms it', async () => {
    const fixture = TestBed.createComponent(AuditPage);
    const confirm = TestBed.inject(ConfirmService);
    await fixture.whenStable();
    const replayed = fixture.componentInstance.replay();
    expect(confirm.pending()?.confirmLabel).toBe('Replay all streams');
    http.expectNone('/api/audit/replay');
    confirm.answer(true);
    await replayed;
    const request = http.expectOne('/api/audit/replay');
    expect(request.request.method).toBe('POST');
    request.flush({ replayed: 12 });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role="status"]').textContent).toContain('Replayed 12 event(s)');

    const kept = fixture.componentInstance.replay();
    confirm.answer(false);
    await kept;
    http.expectNone('/api/audit/replay');
  });
});

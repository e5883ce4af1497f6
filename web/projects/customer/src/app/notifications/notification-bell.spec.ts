import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { NotificationStream, StreamEvent } from '../notification-stream.service';
import { signedInProviders } from '../testing';
import { NotificationBell } from './notification-bell';

describe('NotificationBell', () => {
  it('when a broadcast arrives live, then the unread count grows; opening the panel lists it and marks all read', async () => {
    const events = new Subject<StreamEvent>();
    TestBed.configureTestingModule({
      imports: [NotificationBell],
      providers: [
        ...signedInProviders(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: NotificationStream, useValue: { events$: events.asObservable() } },
      ],
    });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(NotificationBell);
    await fixture.whenStable();
    events.next({ type: 'open' });
    http.expectOne('/api/notifications/unread-count').flush({ unread: 1 });
    const broadcast = { id: 'b1', kind: 'broadcast' as const, title: 'Maintenance tonight', body: 'Ten minutes at 22:00.', read: false, createdAt: '2026-11-25T10:00:00.000Z' };
    events.next({ type: 'notification', notification: broadcast });
    await fixture.whenStable();
    const bell = fixture.nativeElement.querySelector('[data-testid="bell"]') as HTMLButtonElement;
    expect(bell.getAttribute('aria-label')).toBe('Notifications, 2 unread');
    expect(fixture.nativeElement.querySelector('[data-testid="unread-count"]').textContent).toBe('2');

    bell.click();
    http.expectOne((r) => r.url === '/api/notifications').flush({ items: [broadcast], page: 1, pageSize: 20, total: 1 });
    const read = http.expectOne('/api/notifications/read-all');
    expect(read.request.method).toBe('POST');
    read.flush({ marked: 2 });
    await fixture.whenStable();
    expect(bell.getAttribute('aria-expanded')).toBe('true');
    expect(fixture.nativeElement.querySelector('[data-testid="notification-panel"]').textContent).toContain('Maintenance tonight');
    expect(fixture.nativeElement.querySelector('[data-testid="unread-count"]')).toBeNull();
  });
});

import { TestBed } from '@angular/core/testing';
import { AuthService } from './auth.service';
import { NotificationStream, StreamEvent } from './notification-stream.service';
import { RUNTIME_CONFIG } from './config';
import { testConfig } from './testing';

/** jsdom has no EventSource: a stand-in that records what the service opens and lets the test drive it. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, (event: MessageEvent<string>) => void>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, listener);
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data: string): void {
    this.listeners.get(type)?.(new MessageEvent(type, { data }));
  }
}

describe('NotificationStream', () => {
  let token: string;

  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    token = 'token-1';
    TestBed.configureTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testConfig },
        { provide: AuthService, useValue: { accessToken: () => token } },
      ],
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('when events arrive, then open and notifications are emitted, and the token rides in the query', () => {
    const events: StreamEvent[] = [];
    const subscription = TestBed.inject(NotificationStream).events$.subscribe((e) => events.push(e));
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe('/api/notifications/stream?access_token=token-1');
    source.readyState = FakeEventSource.OPEN;
    source.onopen?.();
    source.emit('notification', JSON.stringify({ id: 'n1', kind: 'order-confirmed', orderId: 'o-1' }));
    source.emit('notification', '{not json');
    expect(events.map((e) => e.type)).toEqual(['open', 'notification']);
    subscription.unsubscribe();
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
  });

  it('when the browser gives up on the stream (e.g. 401 with an expired token), then it is reopened with the current token', () => {
    const subscription = TestBed.inject(NotificationStream).events$.subscribe();
    const first = FakeEventSource.instances[0];
    token = 'token-2';
    first.readyState = FakeEventSource.CLOSED;
    first.onerror?.();
    expect(FakeEventSource.instances.length).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.instances.length).toBe(2);
    expect(FakeEventSource.instances[1].url).toContain('access_token=token-2');
    subscription.unsubscribe();
  });

  it('when the connection only dropped (the browser reconnects by itself), then no second stream is opened', () => {
    const subscription = TestBed.inject(NotificationStream).events$.subscribe();
    const first = FakeEventSource.instances[0];
    first.readyState = FakeEventSource.CONNECTING;
    first.onerror?.();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances.length).toBe(1);
    subscription.unsubscribe();
  });
});

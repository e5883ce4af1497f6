import { TestBed } from '@angular/core/testing';
import { AuthService } from './auth.service';
import { RUNTIME_CONFIG } from './config';
import { NotificationStream, StreamEvent } from './notification-stream.service';
import { testConfig } from './testing';

/** A server-sent event stream the test writes to, as the body of a fetch Response. */
class FakeStream {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly body = new ReadableStream<Uint8Array>({ start: (c) => void (this.controller = c) });
  send(text: string): void {
    this.controller.enqueue(new TextEncoder().encode(text));
  }
  end(): void {
    this.controller.close();
  }
}

interface Call {
  url: string;
  headers: Headers;
  stream: FakeStream;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('NotificationStream', () => {
  let token: string | null;
  let calls: Call[];
  let status: number;

  beforeEach(() => {
    token = 'token-1';
    status = 200;
    calls = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const stream = new FakeStream();
      calls.push({ url: String(input), headers: new Headers(init?.headers), stream });
      const type = status === 200 ? 'text/event-stream' : 'application/problem+json';
      return new Response(status === 200 ? stream.body : '{"status":401}', { status, headers: { 'content-type': type } });
    });
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

  it('when events arrive, then open and notifications are emitted, and the token rides in the Authorization header, not the URL', async () => {
    const events: StreamEvent[] = [];
    const subscription = TestBed.inject(NotificationStream).events$.subscribe((e) => events.push(e));
    await settle();
    expect(calls.length).toBe(1);
    expect(calls[0].url).toBe('/api/notifications/stream');
    expect(calls[0].headers.get('Authorization')).toBe('Bearer token-1');
    calls[0].stream.send('event: notification\ndata: {"id":"n1","kind":"order-confirmed","orderId":"o-1"}\n\n');
    calls[0].stream.send('event: notification\ndata: {not json\n\n: keep-alive\n\n');
    await settle();
    expect(events.map((e) => e.type)).toEqual(['open', 'notification']);
    subscription.unsubscribe();
  });

  it('when the stream is refused (401 with an expired token), then it is reopened with the current token after a pause', async () => {
    vi.useFakeTimers();
    status = 401;
    const subscription = TestBed.inject(NotificationStream).events$.subscribe();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.length).toBe(1);
    token = 'token-2';
    status = 200;
    await vi.advanceTimersByTimeAsync(999);
    expect(calls.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.length).toBe(2);
    expect(calls[1].headers.get('Authorization')).toBe('Bearer token-2');
    subscription.unsubscribe();
  });

  it('when the server ends the stream, then it is reopened and views are told to refetch', async () => {
    vi.useFakeTimers();
    const events: StreamEvent[] = [];
    const subscription = TestBed.inject(NotificationStream).events$.subscribe((e) => events.push(e));
    await vi.advanceTimersByTimeAsync(0);
    calls[0].stream.end();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.length).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['open', 'open']);
    subscription.unsubscribe();
  });
});

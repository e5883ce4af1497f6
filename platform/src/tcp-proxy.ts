/** A loopback TCP proxy a fault test controls (PostgreSQL or RabbitMQ behind it): refuse, accept, add latency and loss. */
import { createServer, connect, type Server, type Socket } from "node:net";
import { waitFor } from "@meridian/kit/testing";

/** A loopback TCP proxy a test controls: `refuse()` drops every open connection and refuses new ones until `accept()`. */
export interface TcpProxy {
  port: number;
  readonly accepting: boolean;
  /** Connections open now. */
  readonly connections: number;
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /**
   * Degrades the link in both directions until called with null: every chunk arrives `latencyMs` late, and
   * `lossPercent` % of them a TCP retransmission timeout later still (`retransmitMs`, default 300 ms) — over TCP a
   * lost segment is a retransmission, so loss shows as delay and head-of-line blocking, never as missing bytes.
   */
  impair(impairment: Impairment | null): void;
  close(): Promise<void>;
}

export interface Impairment {
  latencyMs: number;
  lossPercent: number;
  retransmitMs?: number;
}

/** Forwards `from` to `to` through an ordered delay line (order kept: a chunk never overtakes an earlier one). */
function delayLine(from: Socket, to: Socket, impairment: () => Impairment | null): void {
  let lastDue = 0;
  from.on("data", (chunk: Buffer) => {
    const impaired = impairment();
    if (!impaired && lastDue <= Date.now()) {
      to.write(chunk);
      return;
    }
    const lost = impaired ? Math.random() * 100 < impaired.lossPercent : false;
    const delay = (impaired?.latencyMs ?? 0) + (lost ? (impaired?.retransmitMs ?? 300) : 0);
    const due = Math.max(lastDue, Date.now() + delay);
    lastDue = due;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, due - Date.now());
  });
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let impairment: Impairment | null = null;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const listen = (onPort: number) =>
    new Promise<Server>((resolvePromise, reject) => {
      const s = createServer((client) => {
        const upstream = connect(target.port, target.host);
        track(client);
        track(upstream);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        delayLine(client, upstream, () => impairment);
        delayLine(upstream, client, () => impairment);
      });
      s.once("error", reject);
      s.listen(onPort, "127.0.0.1", () => resolvePromise(s));
    });
  server = await listen(port);
  const boundPort = (server.address() as { port: number }).port;
  const closeServer = async () => {
    const s = server;
    server = null;
    if (s) await new Promise<void>((done) => s.close(() => done()));
  };
  const proxy: TcpProxy = {
    port: boundPort,
    get accepting() {
      return server !== null;
    },
    get connections() {
      return sockets.size;
    },
    async refuse() {
      const closing = closeServer();
      for (const socket of sockets) socket.destroy();
      await closing;
    },
    async accept() {
      if (server) return;
      // The port may linger briefly after close: retry for a moment rather than fail the test.
      server = await waitFor(() => listen(boundPort).catch(() => undefined), {
        timeoutMs: 5000,
        what: `port ${boundPort} to listen again`,
      });
    },
    impair(next) {
      impairment = next;
    },
    async close() {
      await proxy.refuse();
    },
  };
  return proxy;
}

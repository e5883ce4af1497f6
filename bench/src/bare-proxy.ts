// The reference for the gateway benchmark: a bare Bun reverse proxy (Bun.serve + fetch, no checks at all), to tell
// Bun's own HTTP cost apart from the gateway's per-request work.
const target = `http://127.0.0.1:${process.env.DOWNSTREAM_PORT}`;
const proxy = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  fetch(req) {
    const url = new URL(req.url);
    return fetch(`${target}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, decompress: false } as RequestInit);
  },
});
console.log(`READY ${proxy.port}`);
export {};

// A minimal downstream for the proxy benchmarks: a small JSON answer, like a typical API read.
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  fetch: (req) => Response.json({ ok: true, path: new URL(req.url).pathname, items: [1, 2, 3] }),
});
console.log(`READY ${server.port}`);

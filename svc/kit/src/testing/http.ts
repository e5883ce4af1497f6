/** A JSON client for a service's API with a bearer token, as tests call it. */

export interface CallOptions {
  /** Bearer token for this call; `null` sends none; absent uses the caller's default. */
  token?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Response>;

export function bearerCaller(baseUrl: string, defaultToken: string): Call {
  return (method, path, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  };
}

/**
 * Writes raw bytes to a server (what `fetch` would not send: a lying Content-Length, a bare chunked body) and answers
 * what came back (status line, headers and body) once the server has been quiet for 200 ms or closed.
 */
export async function rawRequest(url: string, head: string, body = ""): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let out = "";
    let timer: ReturnType<typeof setTimeout>;
    Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open: (socket) => void socket.write(head + body),
        data: (socket, data) => {
          out += data.toString();
          clearTimeout(timer);
          timer = setTimeout(() => socket.end(), 200);
        },
        close: () => resolve(out),
        error: () => resolve(out),
      },
    });
  });
}

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

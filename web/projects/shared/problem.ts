import { HttpErrorResponse } from '@angular/common/http';

/** RFC 9457 problem details as the Meridian services answer them (docs/errors.md). */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  traceId?: string;
  errors?: { field: string; message: string }[];
}

function isProblem(value: unknown): value is ProblemDetails {
  return typeof value === 'object' && value !== null && ('title' in value || 'detail' in value || 'status' in value);
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const statusMessages: Record<number, string> = {
  0: 'The server could not be reached. Check your connection and try again.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You are not allowed to do this.',
  404: 'It was not found.',
  409: 'This cannot be done in the current state.',
  429: 'Too many requests. Wait a moment and try again.',
};

/** A readable, one-paragraph message for an HTTP failure: the problem's detail (or title) and its field errors. */
export function problemMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    const body = parseBody(error.error);
    if (isProblem(body)) {
      const main = body.detail || body.title || statusMessages[error.status] || `Request failed (${error.status}).`;
      const fields = (body.errors ?? []).map((e) => `${e.field}: ${e.message}`);
      return fields.length > 0 ? `${main} (${fields.join('; ')})` : main;
    }
    return statusMessages[error.status] ?? `Request failed (${error.status} ${error.statusText || 'error'}).`;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

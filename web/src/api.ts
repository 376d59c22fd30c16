/** The HTTP API over fetch. The session travels in the HttpOnly cookie the server sets at sign-in. */

/** A server error as the API reports it: a stable code, a message, and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: readonly { field: string; message: string }[],
  ) {
    super(message);
  }
}

let onSignedOut: (() => void) | null = null;
/** Called when the server answers 401 to a signed-in request: the session is gone. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check the connection and try again.');
  }
  if (response.status === 204) return null as T;
  const data = (await response.json().catch(() => null)) as { error?: { code: string; message: string; field?: string; details?: { field: string; message: string }[] } } | null;
  if (!response.ok) {
    const e = data?.error ?? { code: `http_${response.status}`, message: response.statusText || 'The request failed.' };
    if (response.status === 401 && path !== '/api/v1/sessions') onSignedOut?.();
    throw new ApiError(response.status, e.code, e.message, e.field, e.details);
  }
  return data as T;
}

export const get = <T,>(path: string) => api<T>('GET', path);

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

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
  const data = (await response.json().catch(() => null)) as ErrorBody | null;
  if (!response.ok) throw failure(response.status, response.statusText, data, path);
  return data as T;
}

export type ErrorBody = { error?: { code: string; message: string; field?: string; details?: { field: string; message: string }[] } };

/** The ApiError for a failed response (and the signed-out handler on 401). */
export function failure(status: number, statusText: string, data: ErrorBody | null, path: string): ApiError {
  const e = data?.error ?? { code: `http_${status}`, message: statusText || 'The request failed.' };
  if (status === 401 && path !== '/api/v1/sessions') onSignedOut?.();
  return new ApiError(status, e.code, e.message, e.field, e.details);
}

/**
 * A multipart upload over XMLHttpRequest, for its upload progress events (fetch has none).
 * `abort` cancels it; `done` then rejects with the code `aborted`.
 */
export function upload<T>(path: string, body: FormData, onProgress: (loaded: number, total: number) => void): { done: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported by status below
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(failure(xhr.status, xhr.statusText, data as ErrorBody | null, path));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the server. Check the connection and try again.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

export const get = <T,>(path: string) => api<T>('GET', path);

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

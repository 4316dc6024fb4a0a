import type { ErrorBody } from './types.ts';

/** A refusal or failure of the dispatch server, with its catalogue code. */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Catalogue code, e.g. `UNIT_NOT_AVAILABLE`; `NETWORK` when offline. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * The error of a failed answer: the server's catalogue body when there is
 * one (`{ error: { code, message } }`), else a generic HTTP error.
 */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as Partial<ErrorBody> | null)?.error;
  if (error && typeof error.message === 'string') {
    return new ApiError(status, String(error.code), error.message);
  }
  return new ApiError(status, 'HTTP_' + status, `HTTP ${status}`);
}

/** Options of {@link apiRequest}. */
export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  body?: unknown;
  /** Bearer token of the logged-in user. */
  token?: string | null;
}

/**
 * Calls the dispatch server's JSON API on this page's origin.
 * @param path e.g. `/api/incidents`
 * @returns the parsed JSON answer (undefined for 204)
 * @throws ApiError with the server's code and message on a 4xx/5xx, or
 *   code `NETWORK` when the server cannot be reached.
 */
export async function apiRequest<T>(
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) }),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `server unreachable: ${String(err)}`);
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromBody(response.status, body);
  return body as T;
}

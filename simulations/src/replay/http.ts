import { ReplayError } from './errors.ts';

/** A refused request: the server's status and catalogue code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * JSON over the server's REST API as one user, recording each request's
 * latency (the replay is also a load generator).
 */
export class ApiClient {
  readonly baseUrl: string;
  token: string | undefined;
  readonly latenciesMs: number[];

  constructor(baseUrl: string, latenciesMs: number[] = []) {
    this.baseUrl = baseUrl;
    this.latenciesMs = latenciesMs;
  }

  /**
   * Logs in; the token is kept for later requests.
   * @throws ReplayError `REPLAY_SERVER_REFUSED` when the login is refused
   */
  async login(username: string, password: string): Promise<void> {
    try {
      const answer = await this.json<{ token: string }>(
        'POST',
        '/api/auth/login',
        { username, password },
        { timed: false },
      );
      this.token = answer.token;
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ReplayError(
          'REPLAY_SERVER_REFUSED',
          `login of ${username} refused (${err.status} ${err.code ?? ''}); ` +
            'is the demo data loaded (DISPATCH_DEMO=true), or are the REPLAY_*_PASSWORD settings right?',
          { cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * One request; the parsed answer of a 2xx. Its latency is recorded
   * unless `timed` is false (logins: a password hash, not load).
   * @throws ApiError for any other status, ReplayError
   *   `REPLAY_SERVER_UNAVAILABLE` when the server cannot be reached
   */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { timed?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ReplayError(
        'REPLAY_SERVER_UNAVAILABLE',
        `${method} ${this.baseUrl}${path}: ${(err as Error).message}; is the dispatch server running (npm start)?`,
        { cause: err },
      );
    }
    const text = await response.text();
    if (options.timed !== false) {
      this.latenciesMs.push(performance.now() - started);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } })
        ?.error;
      throw new ApiError(
        response.status,
        error?.code,
        `${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text.slice(0, 200)}`,
      );
    }
    return parsed as T;
  }
}

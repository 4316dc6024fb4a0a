import { apiRequest } from './api.ts';
import type { LoginAnswer, Role } from './types.ts';

/** A logged-in user as kept in this tab's sessionStorage. */
export interface Session {
  token: string;
  role: Role;
  username: string;
  unitId: number | null;
  expiresAt: string;
}

/**
 * Session storage for one app (console or tablet): the token lives only
 * in this tab (sessionStorage), never in localStorage or a cookie.
 */
export class SessionStore {
  readonly #key: string;

  /** @param app storage key prefix, e.g. `console` or `tablet` */
  constructor(app: string) {
    this.#key = `dispatch.${app}.session`;
  }

  /** The stored session, or null when none or expired. */
  load(now = new Date()): Session | null {
    const raw = sessionStorage.getItem(this.#key);
    if (!raw) return null;
    try {
      const session = JSON.parse(raw) as Session;
      if (Date.parse(session.expiresAt) <= now.getTime()) {
        this.clear();
        return null;
      }
      return session;
    } catch {
      this.clear();
      return null;
    }
  }

  save(session: Session): void {
    sessionStorage.setItem(this.#key, JSON.stringify(session));
  }

  clear(): void {
    sessionStorage.removeItem(this.#key);
  }
}

/** A user whose role may not use this screen (said by the screen itself). */
export class RoleRefusedError extends Error {
  constructor(
    readonly username: string,
    readonly role: Role,
    readonly allowed: readonly Role[],
  ) {
    super(
      `user ${username} has role ${role}; ` +
        `this screen is for ${allowed.join(' or ')}`,
    );
    this.name = 'RoleRefusedError';
  }
}

/**
 * Logs in with `POST /api/auth/login` and checks the role.
 * @param allowed roles this app accepts
 * @throws ApiError from the server (bad credentials, rate limit), or an
 *   Error naming the role when the user may not use this app; the token
 *   of a refused role is revoked at once.
 */
export async function login(
  username: string,
  password: string,
  allowed: readonly Role[],
): Promise<Session> {
  const answer = await apiRequest<LoginAnswer>('/api/auth/login', {
    body: { username, password },
  });
  if (!allowed.includes(answer.role)) {
    await logout(answer.token).catch(() => undefined);
    throw new RoleRefusedError(username, answer.role, allowed);
  }
  return {
    token: answer.token,
    role: answer.role,
    username: answer.user.username,
    unitId: answer.user.unitId,
    expiresAt: answer.expiresAt,
  };
}

/** Revokes the token on the server (`POST /api/auth/logout`). */
export async function logout(token: string): Promise<void> {
  await apiRequest<void>('/api/auth/logout', { method: 'POST', token });
}

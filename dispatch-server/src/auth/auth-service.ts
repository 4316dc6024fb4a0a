import crypto from 'node:crypto';

import { DispatchError } from '../errors.ts';
import type { Database, Queryable } from '../storage/database.ts';
import {
  DUMMY_HASH_PROMISE,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.ts';
import type { FailureCounter } from './rate-limit.ts';
import { ROLES, type Principal, type Role } from './roles.ts';

/** A user as the API shows it; never the hash. */
export interface UserView {
  id: number;
  username: string;
  role: Role;
  unitId: number | null;
}

interface UserRow {
  id: number;
  username: string;
  role: Role;
  unit_id: number | null;
  password_hash: string;
}

/** What a username may be: createUser's rule, and findUser's. */
const USERNAME = /^[A-Za-z0-9._-]{2,64}$/;

/** Users, logins and bearer tokens. */
export class AuthService {
  readonly #db: Database;
  readonly #failures: FailureCounter;
  readonly #tokenTtlSeconds: number;
  readonly #maxFailures: number;

  constructor(options: {
    db: Database;
    failures: FailureCounter;
    tokenTtlSeconds: number;
    maxFailures: number;
  }) {
    this.#db = options.db;
    this.#failures = options.failures;
    this.#tokenTtlSeconds = options.tokenTtlSeconds;
    this.#maxFailures = options.maxFailures;
  }

  /**
   * Checks a username and password and issues a token. Attempts count per
   * username and per client address until a login succeeds; past the
   * limit every attempt for either is refused until the window ends,
   * right password or not.
   * @throws DispatchError `AUTH_RATE_LIMITED` (with Retry-After),
   *   `AUTH_BAD_CREDENTIALS`
   */
  async login(
    username: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; role: Role; user: UserView; expiresAt: Date }> {
    const keys = [`user:${username.toLowerCase()}`, `ip:${ip}`];
    // Counted before the password is checked: parallel guesses each take
    // a number, and those past the limit are refused without a check.
    const counts = await Promise.all(
      keys.map((key) => this.#failures.attempt(key)),
    );
    const over = counts.filter((c) => c.attempts > this.#maxFailures);
    if (over.length > 0) {
      const wait = Math.max(1, ...over.map((c) => c.resetSeconds));
      throw new DispatchError('AUTH_RATE_LIMITED', undefined, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    const [row] = await this.#db.query<UserRow>(
      `SELECT id, username, role, unit_id, password_hash
         FROM users WHERE lower(username) = lower($1)`,
      [username],
    );
    const ok = await verifyPassword(
      password,
      row?.password_hash ?? (await DUMMY_HASH_PROMISE),
    );
    if (!row || !ok) throw new DispatchError('AUTH_BAD_CREDENTIALS');
    await Promise.all(keys.map((key) => this.#failures.clear(key)));
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.#tokenTtlSeconds * 1000);
    await this.#db.query(
      `INSERT INTO auth_tokens (token_hash, user_id, expires_at)
       VALUES ($1, $2, $3)`,
      [hashToken(token), row.id, expiresAt],
    );
    return { token, role: row.role, user: toView(row), expiresAt };
  }

  /**
   * The principal of a bearer token.
   * @throws DispatchError `AUTH_TOKEN_INVALID`, `AUTH_TOKEN_EXPIRED`,
   *   `AUTH_TOKEN_REVOKED`
   */
  async authenticate(token: string): Promise<Principal> {
    const tokenHash = hashToken(token);
    const [row] = await this.#db.query<
      UserRow & { expires_at: Date; revoked_at: Date | null }
    >(
      `SELECT u.id, u.username, u.role, u.unit_id, t.expires_at, t.revoked_at
         FROM auth_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    if (!row) throw new DispatchError('AUTH_TOKEN_INVALID');
    if (row.revoked_at) throw new DispatchError('AUTH_TOKEN_REVOKED');
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      throw new DispatchError('AUTH_TOKEN_EXPIRED');
    }
    return {
      userId: row.id,
      username: row.username,
      role: row.role,
      unitId: row.unit_id,
      tokenHash,
    };
  }

  /** Revokes one token (logout). */
  async revokeToken(tokenHash: string, tx: Queryable = this.#db) {
    await tx.query(
      `UPDATE auth_tokens SET revoked_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL`,
      [tokenHash],
    );
  }

  /**
   * Revokes every live token of a user.
   * @returns the hashes revoked, so open sockets can be closed
   */
  async revokeUserTokens(
    userId: number,
    tx: Queryable = this.#db,
  ): Promise<string[]> {
    const rows = await tx.query<{ token_hash: string }>(
      `UPDATE auth_tokens SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL
        RETURNING token_hash`,
      [userId],
    );
    return rows.map((row) => row.token_hash);
  }

  /**
   * Creates a user. A crew user must name its unit; other roles must not.
   * @throws DispatchError `VALIDATION_FAILED`, `USERNAME_TAKEN`,
   *   `UNIT_NOT_FOUND`
   */
  async createUser(
    input: {
      username: string;
      password: string;
      role: Role;
      unitId?: number | null;
    },
    tx: Queryable = this.#db,
  ): Promise<UserView> {
    if (!USERNAME.test(input.username)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        'username: expected 2-64 letters, digits, ".", "_" or "-"',
      );
    }
    if (!ROLES.includes(input.role)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `role: expected one of ${ROLES.join(', ')}`,
      );
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `password: expected at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    }
    const unitId = input.unitId ?? null;
    if ((input.role === 'crew') !== (unitId !== null)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        'unitId: required for role crew and only for it',
      );
    }
    if (unitId !== null) {
      const found = await tx.query('SELECT 1 FROM units WHERE id = $1', [
        unitId,
      ]);
      if (found.length === 0) {
        throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
      }
    }
    const taken = await tx.query(
      'SELECT 1 FROM users WHERE lower(username) = lower($1)',
      [input.username],
    );
    if (taken.length > 0) {
      throw new DispatchError(
        'USERNAME_TAKEN',
        `username ${input.username} is taken`,
      );
    }
    const passwordHash = await hashPassword(input.password);
    const [row] = await tx.query<UserRow>(
      `INSERT INTO users (username, role, unit_id, password_hash)
       VALUES ($1, $2, $3, $4)
       RETURNING id, username, role, unit_id`,
      [input.username, input.role, unitId, passwordHash],
    );
    return toView(row as UserRow);
  }

  /** A user by name, or undefined. */
  async findUser(username: string): Promise<UserView | undefined> {
    // A name no user can have (a NUL, which PostgreSQL refuses as a
    // server error, or too long) is nobody, without asking the database.
    if (!USERNAME.test(username)) return undefined;
    const [row] = await this.#db.query<UserRow>(
      `SELECT id, username, role, unit_id FROM users
        WHERE lower(username) = lower($1)`,
      [username],
    );
    return row ? toView(row) : undefined;
  }

  /** Every user, by name. */
  async listUsers(): Promise<UserView[]> {
    const rows = await this.#db.query<UserRow>(
      'SELECT id, username, role, unit_id FROM users ORDER BY username',
    );
    return rows.map(toView);
  }
}

/** SHA-256 of a token: only the hash is stored, never the token. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

function toView(row: Pick<UserRow, 'id' | 'username' | 'role' | 'unit_id'>) {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    unitId: row.unit_id,
  };
}

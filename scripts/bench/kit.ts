/**
 * What the benchmarks share: settings from the environment, a seeded
 * random stream, bounded concurrency, JSON requests, socket clients and
 * crew tokens without logins. No server code is imported at load time, so
 * the tracker benchmark's worker threads can import this cheaply.
 */
import crypto from 'node:crypto';

import { io as connectSocket, type Socket } from 'socket.io-client';

import type { DispatchServer } from '../../dispatch-server/src/index.ts';

/** An integer setting from the environment; exits 2 when it is not one. */
export function setting(name: string, fallback: number, min = 1): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(
      `${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`,
    );
    process.exit(2);
  }
  return value;
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export const messageOf = (err: unknown) =>
  err instanceof Error ? err.message : String(err);

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, lane),
  );
}

/** One JSON request as `token`; the parsed answer, which must be `expected`. */
export async function api<T>(
  server: DispatchServer,
  token: string | undefined,
  method: string,
  urlPath: string,
  body: unknown,
  expected = 200,
): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(server.url + urlPath, {
    method,
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(
      `${method} ${urlPath}: expected ${expected}, got ${response.status}: ${text.slice(0, 300)}`,
    );
  }
  return JSON.parse(text) as T;
}

/** A socket.io client, connected (its own connection, no reconnects). */
export function connect(url: string, token: string): Promise<Socket> {
  const socket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`${url}: ${err.message}`));
    });
  });
}

/**
 * One crew user per unit and a bearer token each, without logins: the
 * benchmarks measure GPS ingest, not 500 scrypt hashes. One shared
 * password hash, two statements; sets each plan's `token`. `server` is a
 * server in this process, or only its database (a server in another
 * process): then the tokens are checked when the tablets connect.
 */
export async function issueCrewTokens(
  server: Pick<DispatchServer, 'db'> & Partial<Pick<DispatchServer, 'auth'>>,
  plans: { unitId: number; token: string }[],
  usernamePrefix: string,
): Promise<void> {
  const [{ hashToken }, { hashPassword }] = await Promise.all([
    import('../../dispatch-server/src/auth/auth-service.ts'),
    import('../../dispatch-server/src/auth/passwords.ts'),
  ]);
  const sharedHash = await hashPassword(
    crypto.randomBytes(24).toString('base64url'),
  );
  const users = await server.db.query<{ id: number; unit_id: number }>(
    `INSERT INTO users (username, role, unit_id, password_hash)
     SELECT $3::text || u, 'crew', u, $2::text
       FROM unnest($1::int[]) AS t(u)
     RETURNING id, unit_id`,
    [plans.map((plan) => plan.unitId), sharedHash, usernamePrefix],
  );
  const userOf = new Map(users.map((user) => [user.unit_id, user.id]));
  for (const plan of plans) {
    plan.token = crypto.randomBytes(32).toString('base64url');
  }
  await server.db.query(
    `INSERT INTO auth_tokens (token_hash, user_id, expires_at)
     SELECT h, u, $3::timestamptz FROM unnest($1::text[], $2::int[]) AS t(h, u)`,
    [
      plans.map((plan) => hashToken(plan.token)),
      plans.map((plan) => userOf.get(plan.unitId)),
      new Date(Date.now() + 6 * 3600 * 1000).toISOString(),
    ],
  );
  const first = plans[0];
  if (!first || !server.auth) return;
  const principal = await server.auth.authenticate(first.token);
  if (principal.role !== 'crew' || principal.unitId !== first.unitId) {
    throw new Error(`crew token of unit ${first.unitId}: ${principal.role}`);
  }
}

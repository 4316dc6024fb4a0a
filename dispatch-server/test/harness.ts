/**
 * Test servers on real components: PostgreSQL + PostGIS in a database of
 * their own when `DATABASE_URL` is set (as CI sets it), else PGlite in
 * memory; Redis when `REDIS_URL` is set. Each server listens on port 0.
 */
import crypto from 'node:crypto';

import pg from 'pg';
import { createClient } from 'redis';
import { io as connectSocket, type Socket } from 'socket.io-client';

import { readConfig, startServer, type DispatchServer } from '../src/index.ts';
import type { Logger } from '../src/log.ts';

export const ADMIN_PASSWORD = 'test-admin-password';

/**
 * A new, empty database on the PostgreSQL server of `DATABASE_URL`, and a
 * function that drops it. Undefined when `DATABASE_URL` is not set.
 */
export async function freshPostgres(): Promise<
  { url: string; drop: () => Promise<void> } | undefined
> {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `dispatch_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A running test server and helpers to talk to it. */
export interface TestServer {
  server: DispatchServer;
  url: string;
  /** Logs in and returns the bearer token. */
  login(username: string, password: string): Promise<string>;
  /** `fetch` on the server with JSON in and out. */
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** A socket.io client on `namespace`, connected (or rejected). */
  socket(namespace: '/console' | '/tablet', token: string): Promise<Socket>;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/**
 * Starts a server on a fresh database with the demo fleet and users, and
 * the admin password {@link ADMIN_PASSWORD}. `env` overrides settings;
 * `storage: 'pglite'` forces the embedded database even when
 * `DATABASE_URL` is set, so CI runs the same queries on both.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    storage?: 'pglite' | 'default';
    /** A logger of the test's own, e.g. one that writes into memory. */
    log?: Logger;
  } = {},
): Promise<TestServer> {
  const postgres =
    options.storage === 'pglite' ? undefined : await freshPostgres();
  const redisPrefix = `test-${crypto.randomBytes(4).toString('hex')}:`;
  const config = readConfig({
    PORT: '0',
    DATA_DIR: 'memory://',
    DISPATCH_DEMO: 'true',
    OSMAND_PORT: '0',
    DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...(process.env.REDIS_URL
      ? {
          REDIS_URL: process.env.REDIS_URL,
          // Test servers share one Redis: each keeps to its own keys.
          REDIS_PREFIX: redisPrefix,
        }
      : {}),
    ...env,
  });
  const server = await startServer(
    config,
    options.log ? { log: options.log } : {},
  );
  const sockets: Socket[] = [];
  const request: TestServer['request'] = async (method, path, options) => {
    const headers: Record<string, string> = {};
    if (options?.token) headers.authorization = `Bearer ${options.token}`;
    if (options?.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(server.url + path, {
      method,
      headers,
      ...(options?.body !== undefined
        ? {
            body:
              typeof options.body === 'string'
                ? options.body
                : JSON.stringify(options.body),
          }
        : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
    };
  };
  return {
    server,
    url: server.url,
    request,
    async login(username, password) {
      const { status, body } = await request('POST', '/api/auth/login', {
        body: { username, password },
      });
      if (status !== 200) {
        throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
      }
      return body.token as string;
    },
    socket(namespace, token) {
      const socket = connectSocket(server.url + namespace, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (err) => reject(err));
      });
    },
    async close() {
      for (const socket of sockets) socket.disconnect();
      await server.close();
      await postgres?.drop();
      if (process.env.REDIS_URL && config.redisPrefix === redisPrefix) {
        await dropRedisKeys(process.env.REDIS_URL, redisPrefix);
      }
    },
  };
}

/** Deletes every Redis key under `prefix` (a test server's state). */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*` })) {
      keys.push(...batch);
    }
    if (keys.length > 0) await redis.del(keys);
  } finally {
    await redis.quit();
  }
}

/** Resolves with the arguments of the next `event` on `socket`. */
export function nextEvent<T extends unknown[]>(
  socket: Socket,
  event: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** A point on a street in central Porto Alegre (inside the service area). */
export const DOWNTOWN = { lat: -30.0277, lon: -51.2287 };
export const NORTH = { lat: -30.0, lon: -51.18 };

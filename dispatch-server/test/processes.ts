/**
 * Dispatch servers as real child processes (`dispatch-server/bin/start.ts`
 * under tsx), for the tests that kill, restart or multiply them: crash,
 * cluster and dependency faults. Each runs in a process group of its own
 * so a SIGKILL reaches everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createClient } from 'redis';
import { io as connectSocket, type Socket } from 'socket.io-client';

export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);
const START_SCRIPT = path.join('dispatch-server', 'bin', 'start.ts');

/** First start builds or loads the road graph: give it time. */
export const HEALTH_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 20_000;

export const DISPATCHER = {
  username: 'dispatcher',
  password: 'dispatcher-demo',
};

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port free right now on the loopback interface. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Sends `signal` to every process of the group `pgid`. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether any process of the group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A child process in a process group of its own, its output kept. */
export class ChildGroup {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  #running = true;
  #output = '';

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(command, args, {
      cwd: REPO_ROOT,
      env,
      // Its own process group: the kill reaches anything it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) {
      throw new Error(`could not start ${command}`);
    }
    this.pid = this.child.pid;
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      const done = () => {
        this.#running = false;
        resolve();
      };
      this.child.once('exit', done);
      this.child.once('error', (err) => {
        keep(Buffer.from(`spawn error: ${String(err)}\n`));
        done();
      });
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** The last of what it printed, for failure messages. */
  get output(): string {
    return this.#output;
  }

  /** SIGKILL to the whole group; resolves once no process of it is left. */
  async kill(): Promise<void> {
    signalGroup(this.pid, 'SIGKILL');
    await this.exited;
    const deadline = Date.now() + 10_000;
    while (groupAlive(this.pid)) {
      if (Date.now() > deadline) {
        throw new Error(`process group ${this.pid} survived SIGKILL`);
      }
      await sleep(50);
    }
  }

  /** Kills synchronously, for the test process's own exit. */
  killNow(): void {
    if (this.#running) signalGroup(this.pid, 'SIGKILL');
  }
}

/** The dispatch server (`bin/start.ts`) as a child process. */
export class ServerProcess extends ChildGroup {
  constructor(env: NodeJS.ProcessEnv) {
    super(process.execPath, ['--import', 'tsx', START_SCRIPT], env);
  }
}

/**
 * The environment of a server process: the test's own, with the port,
 * the demo data, and `overrides` (which may unset a variable with
 * `undefined`).
 */
export function serverEnv(
  port: number,
  overrides: Record<string, string | undefined>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DISPATCH_DEMO: 'true',
    OSMAND_PORT: 'off',
    DISPATCH_AUTO_DISPATCH: 'false',
    LOG_LEVEL: 'warn',
  };
  // vitest's own marker would silence the child's logs.
  delete env.VITEST;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/**
 * JSON over HTTP. Throws when no complete answer arrives (connection
 * refused or cut, timeout): the outcome of a write is then unknown.
 */
export async function request<T = any>(
  base: string,
  method: string,
  urlPath: string,
  options: { token?: string | undefined; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.body);
  }
  const response = await fetch(base + urlPath, {
    method,
    headers,
    body: payload,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

/** Polls `GET /healthz` until it answers 200. */
export async function waitHealthy(
  base: string,
  server: ChildGroup,
): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!server.running) {
      throw new Error(
        `the server exited before it was healthy (${last}):\n${server.output}`,
      );
    }
    try {
      const answer = await request(base, 'GET', '/healthz');
      if (answer.status === 200) return;
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    await sleep(250);
  }
  throw new Error(
    `no healthy server within ${HEALTH_TIMEOUT_MS} ms (${last}):\n${server.output}`,
  );
}

/** Logs in and returns the bearer token. */
export async function login(
  base: string,
  username: string,
  password: string,
): Promise<string> {
  const { status, body } = await request<{ token: string }>(
    base,
    'POST',
    '/api/auth/login',
    { body: { username, password } },
  );
  if (status !== 200) {
    throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * A socket.io client of `base`, connected. `reconnect` lets it come back
 * by itself after the server goes away (as the console does).
 */
export function connect(
  base: string,
  namespace: '/console' | '/tablet',
  token: string,
  options: { reconnect?: boolean } = {},
): Promise<Socket> {
  const socket = connectSocket(base + namespace, {
    auth: { token },
    transports: ['websocket'],
    reconnection: options.reconnect ?? false,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      if (!options.reconnect) reject(err);
    });
  });
}

/** Resolves once `predicate` holds, polling; throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new Error(
    `${what}: not within ${timeoutMs} ms` +
      (lastError ? ` (last error: ${String(lastError)})` : ''),
  );
}

/**
 * A redis-server of the test's own (never the machine's shared one), on
 * `port`, without persistence: killed and started again, it is empty.
 */
export function startRedis(port: number): ChildGroup {
  return new ChildGroup(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    process.env,
  );
}

/** Whether a Redis answers PING at `url` now. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({
    url,
    socket: { reconnectStrategy: false, connectTimeout: 500 },
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.quit().catch(() => {});
  }
}

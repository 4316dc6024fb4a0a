import { io, type Socket } from 'socket.io-client';

import type {
  ConsoleClientToServer,
  ConsoleServerToClient,
} from '../shared/types.ts';
import type { ConsoleStore } from './store.ts';

/** The typed `/console` socket. */
export type ConsoleSocket = Socket<
  ConsoleServerToClient,
  ConsoleClientToServer
>;

/** Connection state shown in the header. */
export type ConnectionState = 'connecting' | 'online' | 'offline';

/**
 * Connects `/console` and keeps `store` in step: on every (re)connect it
 * asks for a snapshot, holds live events that arrive meanwhile, applies
 * the snapshot, then the held events (the store drops any older than
 * the snapshot). Events of a connection that has since dropped are
 * ignored.
 * @param onState connection state changes
 * @param onAuthFailed the token was refused (expired or revoked)
 */
export function connectConsole(
  token: string,
  store: ConsoleStore,
  onState: (state: ConnectionState, detail?: string) => void,
  onAuthFailed: (message: string) => void,
): ConsoleSocket {
  const socket: ConsoleSocket = io('/console', { auth: { token } });
  let held: (() => void)[] | null = null;
  let connection = 0;

  const live =
    <A extends unknown[]>(apply: (...args: A) => void) =>
    (...args: A) => {
      if (held) held.push(() => apply(...args));
      else apply(...args);
    };

  socket.on('connect', () => {
    const mine = ++connection;
    held = [];
    onState('connecting', 'loading snapshot');
    socket
      .timeout(15_000)
      .emitWithAck('snapshot')
      .then((answer) => {
        if (mine !== connection) return;
        if (!answer.ok) {
          onState('offline', answer.error.message);
          return;
        }
        store.applySnapshot(answer, Date.now());
        const pending = held ?? [];
        held = null;
        for (const apply of pending) apply();
        onState('online');
      })
      .catch(() => {
        // No answer in time: reconnect to ask again.
        if (mine === connection) socket.disconnect().connect();
      });
  });
  socket.on('disconnect', (reason) => {
    connection++;
    held = null;
    onState('offline', reason);
    // The server closes sockets whose token expired or was revoked; the
    // client does not reconnect those by itself.
    if (reason === 'io server disconnect') onAuthFailed('session ended');
  });
  socket.on('connect_error', (err) => {
    const code = handshakeErrorCode(err);
    if (code?.startsWith('AUTH_')) onAuthFailed(err.message);
    onState('offline', err.message);
  });

  socket.on(
    'incident:created',
    live((incident) => store.upsertIncident(incident)),
  );
  socket.on(
    'incident:phase',
    live((incident) => store.upsertIncident(incident)),
  );
  socket.on(
    'unit:created',
    live((unit) => store.upsertUnit(unit)),
  );
  socket.on(
    'unit:status',
    live((unit) => store.upsertUnit(unit)),
  );
  socket.on(
    'unit:positions',
    live((positions) => store.applyPositions(positions)),
  );
  socket.on(
    'unit:eta',
    live((update) => store.applyEta(update)),
  );
  socket.on(
    'unit:stale',
    live((unitIds) => store.markStale(unitIds)),
  );
  return socket;
}

/** The catalogue code a handshake refusal carries in `data`, if any. */
export function handshakeErrorCode(err: Error): string | undefined {
  const data = (err as Error & { data?: { error?: { code?: unknown } } }).data;
  const code = data?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

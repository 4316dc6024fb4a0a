import 'leaflet/dist/leaflet.css';
import '../styles/tablet.css';

import { io, type Socket } from 'socket.io-client';

import { logout, SessionStore, type Session } from '../shared/auth.ts';
import { byId, el, setText, type Text } from '../shared/dom.ts';
import { phaseName, statusName, t } from '../shared/i18n.ts';
import { initLanguage, languageSelect } from '../shared/language-select.ts';
import { loginForm } from '../shared/login-form.ts';
import type {
  TabletClientToServer,
  TabletServerToClient,
} from '../shared/types.ts';
import { assignmentView, type ShownAssignment } from './assignment-view.ts';
import { watchFixes, type GpsState } from './geolocation.ts';
import {
  clearKeptStates,
  stateKey,
  webStorageState,
  type KeptUnit,
} from './kept-state.ts';
import { registerOfflineShell } from './offline-shell.ts';
import {
  classifyAck,
  Outbox,
  type OutboxItem,
  type OutboxState,
  type SendOutcome,
} from './outbox.ts';
import { outboxKey, webStorageOutbox } from './outbox-storage.ts';
import { statusButtons, type CrewAction } from './status-buttons.ts';

type TabletSocket = Socket<TabletServerToClient, TabletClientToServer>;

/** How long a report waits for its ack before it counts as unsent. */
const ACK_TIMEOUT_MS = 10_000;

const sessions = new SessionStore('tablet');
const app = byId<HTMLDivElement>('app');
initLanguage(() => t('app.tablet'));

function showLogin(notice: Text = ''): void {
  const form = loginForm({
    title: () => t('app.tablet'),
    notice,
    allowed: ['crew'],
    testIds: {
      username: 'tablet-username',
      password: 'tablet-password',
      submit: 'tablet-login',
    },
    onLoggedIn: (session) => {
      sessions.save(session);
      start(session);
    },
  });
  app.replaceChildren(form);
}

function start(session: Session): void {
  const connection = el('span', {
    className: 'connection',
    testId: 'connection-state',
    text: () => t('connection.offline'),
    attrs: { 'data-state': 'offline' },
  });
  const unitLine = el('span', { className: 'unit', testId: 'unit-status' });
  const gpsLine = el('span', { className: 'gps muted', testId: 'gps-state' });
  const outboxLine = el('span', {
    className: 'outbox muted',
    testId: 'outbox-state',
  });
  const notice = el('p', {
    className: 'form-message',
    testId: 'tablet-message',
  });
  const logoutButton = el('button', {
    text: () => t('logout.plain'),
    testId: 'tablet-logout',
    attrs: { type: 'button' },
  });
  const assignment = assignmentView();
  let current: ShownAssignment | null = null;
  let unit: KeptUnit | null = null;
  // The last assignment and unit status, kept so a reload with no signal
  // shows them (only what the crew needs: see kept-state.ts); cleared
  // when the assignment ends and when the session does.
  const kept = webStorageState(localStorage, stateKey(session.username));
  const keep = () => kept.save({ unit, assignment: current });

  const socket: TabletSocket = io('/tablet', {
    auth: { token: session.token },
  });
  const showOutbox = (state: OutboxState) => {
    const pending = state.pending;
    setText(outboxLine, () =>
      pending > 0
        ? t('tablet.toSend', { count: pending })
        : t('tablet.allSent'),
    );
    outboxLine.dataset.pending = String(state.pending);
    if (state.lastRefusal) {
      const message = state.lastRefusal.message;
      setText(notice, () => t('tablet.notRecorded', { message }));
      notice.dataset.kind = 'error';
    }
  };
  // Kept in localStorage: reports made with no signal survive a reload
  // or a browser restart, and go out on the next connection.
  const stored = webStorageOutbox(localStorage, outboxKey(session.username));
  const outbox = new Outbox({
    send: (batch) => sendBatch(socket, batch),
    storage: stored,
    onChange: showOutbox,
  });
  const buttons = statusButtons((action) => press(action));

  function press(action: CrewAction): void {
    const at = new Date().toISOString();
    const eventId = crypto.randomUUID();
    setText(notice, '');
    if (action === 'ack') {
      if (!current) return;
      outbox.enqueue({
        kind: 'ack',
        eventId,
        incidentId: current.incident.id,
        at,
      });
    } else {
      outbox.enqueue({
        kind: 'status',
        eventId,
        report: { status: action, at, eventId },
      });
    }
  }

  function showUnit(next: KeptUnit): void {
    // A snapshot read before a replayed status committed can arrive after
    // that status's own event: never step back to an older status.
    if (
      unit?.id === next.id &&
      Date.parse(next.statusSince) < Date.parse(unit.statusSince)
    ) {
      return;
    }
    // The unit was working the shown incident and is now free: the
    // assignment is over, and its address leaves the device.
    const released =
      current !== null &&
      unit?.incidentId === current.incident.id &&
      next.incidentId === null;
    unit = next;
    drawUnit(next);
    if (released) showAssignment(null);
    else keep();
  }

  function drawUnit(next: KeptUnit): void {
    setText(unitLine, () => `${next.callSign} · ${statusName(next.status)}`);
    unitLine.dataset.status = next.status;
    buttons.mark(next.status, current !== null);
  }

  function showAssignment(next: ShownAssignment | null): void {
    current = next;
    assignment.show(next);
    buttons.mark(unit?.status ?? null, next !== null);
    keep();
  }

  function setConnection(online: boolean, detail = ''): void {
    setText(connection, () =>
      t(online ? 'connection.online' : 'connection.offline'),
    );
    connection.dataset.state = online ? 'online' : 'offline';
    connection.title = detail;
  }

  socket.on('connect', () => {
    setConnection(true);
    // Queued reports go first, in order; the snapshot only redraws.
    outbox.setConnected(true);
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('snapshot')
      .then((answer) => {
        if (!answer.ok) {
          const message = answer.error.message;
          setText(notice, () => t('refused', { message }));
          return;
        }
        showUnit(answer.unit);
        showAssignment(answer.assignment);
      })
      .catch(() => console.warn('tablet snapshot: no answer'));
  });
  socket.on('disconnect', (reason) => {
    setConnection(false, reason);
    outbox.setConnected(false);
    if (reason === 'io server disconnect')
      endSession(() => t('session.endedByServer'));
  });
  socket.on('connect_error', (err) => {
    setConnection(false, err.message);
    const code = (err as Error & { data?: { error?: { code?: string } } }).data
      ?.error?.code;
    if (code?.startsWith('AUTH_')) endSession(err.message);
  });
  socket.on('assignment', (next) => showAssignment(next));
  socket.on('assignment:cancelled', (info) => {
    if (current?.incident.id === info.incidentId) showAssignment(null);
    setText(notice, () =>
      t('tablet.cancelled', { id: info.incidentId, reason: info.reason }),
    );
    notice.dataset.kind = 'error';
  });
  socket.on('unit:status', (next) => showUnit(next));
  socket.on('arrival:detected', (offer) => {
    setText(notice, () =>
      t('tablet.arrival', { phase: phaseName(offer.phase) }),
    );
    notice.dataset.kind = 'ok';
  });

  const stopGps = watchFixes(
    (fix) => {
      // Only while on duty: an out-of-service unit is not tracked.
      if (unit?.status === 'out_of_service') return;
      outbox.enqueue({ kind: 'position', eventId: crypto.randomUUID(), fix });
    },
    (state) => {
      setText(gpsLine, () => gpsText(state));
      gpsLine.dataset.state = state.kind;
    },
  );

  function endSession(reason: Text): void {
    stopGps();
    socket.close();
    sessions.clear();
    // A shared device: the next user must not find this crew's incident.
    kept.clear();
    const text = () =>
      t('session.ended', {
        reason: typeof reason === 'string' ? reason : reason(),
      });
    showLogin(text);
  }

  logoutButton.addEventListener('click', () => {
    if (outbox.state.pending > 0 && !confirm(t('logout.unsent'))) {
      return;
    }
    // The crew chose to drop what is unsent.
    stored.clear();
    void logout(session.token).catch(() => undefined);
    endSession(() => t('session.loggedOut'));
  });

  showOutbox(outbox.state);
  app.replaceChildren(
    el('header', { className: 'top' }, [
      el('strong', { text: session.username }),
      unitLine,
      connection,
      gpsLine,
      outboxLine,
      languageSelect(),
      logoutButton,
    ]),
    notice,
    assignment.element,
    buttons.element,
  );
  // The last known state until the snapshot (offline, all there is);
  // drawn once in the page, where the map can measure its box.
  const last = kept.load();
  current = last.assignment;
  unit = last.unit;
  assignment.show(current);
  if (unit) drawUnit(unit);
  else buttons.mark(null, current !== null);
}

/**
 * Sends one outbox batch over the socket and judges its ack: fixes as one
 * `positions` event, a status or an acknowledgement alone.
 */
async function sendBatch(
  socket: TabletSocket,
  batch: readonly OutboxItem[],
): Promise<SendOutcome> {
  if (!socket.connected) return { result: 'retry', reason: 'offline' };
  const timed = socket.timeout(ACK_TIMEOUT_MS);
  const item = batch[0]!;
  try {
    if (item.kind === 'position') {
      const fixes = batch.flatMap((i) =>
        i.kind === 'position' ? [i.fix] : [],
      );
      // Fixes the filter refuses (e.g. poor accuracy) are answered ok
      // with their reasons: done either way, and the server logged why.
      return classifyAck(await timed.emitWithAck('positions', fixes));
    }
    switch (item.kind) {
      case 'status':
        return classifyAck(await timed.emitWithAck('status', item.report));
      case 'ack':
        return classifyAck(
          await timed.emitWithAck('assignment:ack', {
            incidentId: item.incidentId,
            at: item.at,
          }),
        );
    }
  } catch {
    return { result: 'retry', reason: 'no ack in time' };
  }
}

function gpsText(state: GpsState): string {
  switch (state.kind) {
    case 'unsupported':
      return t('gps.unsupported');
    case 'waiting':
      return t('gps.waiting');
    case 'ok':
      return t('gps.ok', { meters: Math.round(state.accuracyMeters) });
    case 'denied':
      return t('gps.denied');
    case 'error':
      return t('gps.error', { message: state.message });
  }
}

registerOfflineShell();
const saved = sessions.load();
if (saved) start(saved);
else {
  clearKeptStates(localStorage);
  showLogin();
}

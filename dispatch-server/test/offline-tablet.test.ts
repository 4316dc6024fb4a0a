/**
 * Tablets that lose signal: positions and status changes queue on the
 * tablet with device timestamps and ids, and replay in order on reconnect;
 * the server applies each exactly once.
 *
 * The tablet talks to the server through a TCP relay ({@link RadioLink})
 * that the test degrades the way a mobile network does: the downlink
 * fades (what the tablet sends still arrives, the acks do not), then the
 * link drops. The tablet side is {@link TabletOutbox}, the queue a crew
 * tablet keeps, written against the `/tablet` contract only.
 */
import crypto from 'node:crypto';
import net from 'node:net';

import type { FixResult } from '@dispatch/unit-tracker';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DISPATCH_ERRORS, type ErrorBody } from '../src/errors.ts';
import type { UnitStatus } from '../src/policy/index.ts';
import type {
  Ack,
  TabletClientToServer,
  TabletFix,
  TabletServerToClient,
} from '../src/realtime/contract.ts';
import type { PositionFix, StatusResult } from '../src/units/views.ts';
import { DOWNTOWN, startTestServer, type TestServer } from './harness.ts';

type TabletSocket = Socket<TabletServerToClient, TabletClientToServer>;

/** How a queued item ended. */
type Outcome =
  /** Stored by this send. */
  | { kind: 'applied' }
  /** Stored before: an earlier send got through but its ack did not. */
  | { kind: 'duplicate' }
  /** Refused for good (shown to the crew; never resent). */
  | { kind: 'refused'; reason: string };

/** A status button press, with its id and the device's time. */
interface QueuedStatus {
  kind: 'status';
  report: { status: UnitStatus; at: string; eventId: string };
  /** How many times it went out (more than 1: resent after a cut). */
  sends: number;
  /** Set once answered; until then the item stays queued. */
  outcome?: Outcome;
}

/** A GPS fix, with the device's time. */
interface QueuedFix {
  kind: 'fix';
  fix: TabletFix;
  sends: number;
  outcome?: Outcome;
}

type OutboxItem = QueuedStatus | QueuedFix;

const APPLIED: Outcome = { kind: 'applied' };
const DUPLICATE: Outcome = { kind: 'duplicate' };

/**
 * The crew tablet's outbox: every status change and GPS fix goes in here
 * first and leaves only when the server has acknowledged it, so a tablet
 * that loses signal loses nothing.
 *
 * - A status report gets a unique `eventId` and the device's time `at`
 *   when the crew presses the button; a fix carries the device's time of
 *   the fix. Both are kept as they were queued, so a replay an hour later
 *   still reports when things happened, not when they were sent.
 * - Items leave in the order they were queued: a status report alone (the
 *   next item only after its ack), consecutive fixes together as one
 *   `positions` batch. Nothing else is in flight meanwhile, so the server
 *   sees exactly the tablet's order.
 * - An item is done when the server answers for it: `{ ok: true }` for a
 *   status (with `duplicate: true` when an earlier send had already been
 *   applied), and per fix `accepted: true` or `accepted: false` with
 *   reason `duplicate` (the fix was stored before). Any other refusal is
 *   final (`refused`, kept in the journal for the crew to see); a server
 *   error (5xx) is retried.
 * - When the connection drops, whatever was in flight counts as not acked;
 *   socket.io reconnects, and on `connect` the outbox resends everything
 *   still queued, in order. The server's `eventId` check and its duplicate
 *   fix check make a resend of something already applied a no-op.
 *
 * Emits only while connected (never into socket.io's offline buffer, which
 * would replay behind the outbox's back). A real tablet also keeps the
 * queue in storage across app restarts; `stored` is that queue read back.
 */
class TabletOutbox {
  readonly #socket: TabletSocket;
  readonly #clock: () => Date;
  readonly #ackTimeoutMs: number;
  readonly #retryMs: number;
  readonly #maxBatch: number;
  readonly #pending: OutboxItem[] = [];
  readonly #journal: OutboxItem[] = [];
  #flight: { items: OutboxItem[] } | undefined;
  #scheduled = false;
  #retry: NodeJS.Timeout | undefined;
  #idle: (() => void)[] = [];
  #closed = false;
  readonly #onConnect = () => this.#schedule();
  readonly #onDisconnect = () => {
    // The acks of what was in flight will never come: all of it is resent
    // on the next connection.
    this.#flight = undefined;
  };

  constructor(
    socket: TabletSocket,
    options: {
      /** The device's clock. */
      clock?: () => Date;
      /** Queue read back from the tablet's storage, in order. */
      stored?: readonly OutboxItem[];
      ackTimeoutMs?: number;
      retryMs?: number;
      /** Most fixes in one `positions` batch (the server takes 1000). */
      maxBatch?: number;
    } = {},
  ) {
    this.#socket = socket;
    this.#clock = options.clock ?? (() => new Date());
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxBatch = options.maxBatch ?? 500;
    for (const item of options.stored ?? []) {
      this.#add(
        item.kind === 'status'
          ? { kind: 'status', report: { ...item.report }, sends: 0 }
          : { kind: 'fix', fix: { ...item.fix }, sends: 0 },
      );
    }
    socket.on('connect', this.#onConnect);
    socket.on('disconnect', this.#onDisconnect);
  }

  /** The crew pressed a status button: queued with an id and the time. */
  reportStatus(status: UnitStatus): QueuedStatus {
    return this.#add({
      kind: 'status',
      report: {
        status,
        at: this.#clock().toISOString(),
        eventId: `tablet-${crypto.randomUUID()}`,
      },
      sends: 0,
    });
  }

  /** A fix from the GPS; `at` defaults to the device's clock. */
  recordFix(fix: Omit<TabletFix, 'at'> & { at?: string }): QueuedFix {
    return this.#add({
      kind: 'fix',
      fix: { ...fix, at: fix.at ?? this.#clock().toISOString() },
      sends: 0,
    });
  }

  /** What has not been acknowledged yet, oldest first. */
  get pending(): readonly OutboxItem[] {
    return this.#pending;
  }

  /** Everything ever queued, in order, with its sends and outcome. */
  get journal(): readonly OutboxItem[] {
    return this.#journal;
  }

  /** Resolves once every queued item has been answered. */
  drained(timeoutMs = 20_000): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const head = this.#pending[0];
        reject(
          new Error(
            `outbox not drained within ${timeoutMs} ms: ` +
              `${this.#pending.length} items pending, the first ` +
              `${JSON.stringify(head)}; connected: ${this.#socket.connected}`,
          ),
        );
      }, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops sending (the queue stays as it is). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#socket.off('connect', this.#onConnect);
    this.#socket.off('disconnect', this.#onDisconnect);
  }

  #add<T extends OutboxItem>(item: T): T {
    this.#pending.push(item);
    this.#journal.push(item);
    this.#schedule();
    return item;
  }

  // Sends on the next microtask, so fixes queued together go as one batch.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#send();
    });
  }

  #send(): void {
    if (this.#closed || this.#flight || !this.#socket.connected) return;
    const head = this.#pending[0];
    if (!head) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    const flight = { items: [head] as OutboxItem[] };
    if (head.kind === 'fix') {
      for (const item of this.#pending.slice(1, this.#maxBatch)) {
        if (item.kind !== 'fix') break;
        flight.items.push(item);
      }
    }
    this.#flight = flight;
    for (const item of flight.items) item.sends++;
    const socket = this.#socket.timeout(this.#ackTimeoutMs);
    if (head.kind === 'status') {
      socket.emit('status', head.report, (err, answer) => {
        if (!this.#landed(flight, err)) return;
        if (answer.ok) this.#settle([answer.duplicate ? DUPLICATE : APPLIED]);
        else this.#refused(flight, answer);
      });
    } else {
      const fixes = flight.items.map((item) => (item as QueuedFix).fix);
      socket.emit('positions', fixes, (err, answer) => {
        if (!this.#landed(flight, err)) return;
        if (answer.ok) this.#settle(answer.results.map(fixOutcome));
        else this.#refused(flight, answer);
      });
    }
  }

  /** Whether an answer is for the flight in the air; else drops it. */
  #landed(flight: { items: OutboxItem[] }, err: Error | null): boolean {
    // A stale callback: the connection dropped (socket.io calls pending
    // acks with an error then) and the items will go again.
    if (this.#flight !== flight) return false;
    this.#flight = undefined;
    if (err) {
      // No ack in time on a connection that looks alive: send again (a
      // resend of what did arrive is a duplicate, nothing more).
      this.#schedule();
      return false;
    }
    return true;
  }

  /** The head items are answered: off the queue, in order. */
  #settle(outcomes: readonly Outcome[]): void {
    for (const outcome of outcomes) {
      const item = this.#pending.shift();
      if (item) item.outcome = outcome;
    }
    this.#schedule();
  }

  #refused(
    flight: { items: OutboxItem[] },
    answer: { ok: false } & ErrorBody,
  ): void {
    const code = answer.error.code;
    const status: number | undefined = DISPATCH_ERRORS[code]?.status;
    if (status === undefined || status >= 500) {
      // The server could not do it now (storage down, say): try again.
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.#schedule(), this.#retryMs);
      return;
    }
    // A status, or a batch the server would not read: none of it is stored.
    this.#settle(flight.items.map(() => ({ kind: 'refused', reason: code })));
  }
}

function fixOutcome(result: FixResult): Outcome {
  if (result.accepted) return APPLIED;
  return result.reason === 'duplicate'
    ? DUPLICATE
    : { kind: 'refused', reason: result.reason };
}

/** One tablet connection through the {@link RadioLink}. */
interface Relay {
  tablet: net.Socket;
  server: net.Socket;
  /** Downlink bytes held back while the signal fades. */
  held: Buffer[] | undefined;
  cut: boolean;
}

/**
 * The tablet's radio link: a TCP relay (node:net) between the tablet and
 * the server. `cut()` is a real network cut, not a polite disconnect: the
 * tablet's TCP connection is reset under it (as when the phone's radio
 * loses the cell: the OS fails the socket, no WebSocket close frame, no
 * socket.io disconnect packet), bytes still on their way to the tablet
 * are lost, and new connections fail until `restore()`. The server's side
 * is left open and silent, as a real cut leaves it: the server learns of
 * it only by its heartbeat, long after the tablet has reconnected.
 */
class RadioLink {
  readonly #server: net.Server;
  readonly #target: { host: string; port: number };
  readonly #links = new Set<Relay>();
  #up = true;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = net.createServer((tablet) => this.#accept(tablet));
  }

  static async open(serverUrl: string): Promise<RadioLink> {
    const url = new URL(serverUrl);
    const link = new RadioLink({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve) =>
      link.#server.listen(0, '127.0.0.1', resolve),
    );
    return link;
  }

  /** What the tablet connects to instead of the server. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /**
   * The signal fades: the tablet's packets still reach the server, the
   * server's (acks included) are held back, to be lost at the cut.
   */
  fadeDownlink(): void {
    for (const link of this.#links) link.held ??= [];
  }

  /** The signal is gone. */
  cut(): void {
    this.#up = false;
    for (const link of this.#links) {
      if (link.cut) continue;
      link.cut = true;
      link.held = undefined;
      link.tablet.resetAndDestroy();
    }
  }

  /** The signal is back: the tablet can connect again. */
  restore(): void {
    this.#up = true;
  }

  async close(): Promise<void> {
    this.#up = false;
    for (const link of this.#links) {
      link.tablet.destroy();
      link.server.destroy();
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(tablet: net.Socket): void {
    tablet.on('error', () => {});
    if (!this.#up) {
      // No signal: the connection attempt fails at once, as the OS fails
      // it without a network.
      tablet.resetAndDestroy();
      return;
    }
    const server = net.connect(this.#target.port, this.#target.host);
    server.on('error', () => {});
    const link: Relay = { tablet, server, held: undefined, cut: false };
    this.#links.add(link);
    tablet.on('data', (chunk: Buffer) => {
      if (!link.cut) server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (link.cut) return; // into the void
      if (link.held) link.held.push(chunk);
      else tablet.write(chunk);
    });
    tablet.on('close', () => {
      if (link.cut) return; // the server's side stays open, silent
      this.#links.delete(link);
      server.destroy();
    });
    server.on('close', () => {
      this.#links.delete(link);
      tablet.destroy();
    });
  }
}

/** The tablet's clock, stepped by the test (a second per GPS fix). */
class DeviceClock {
  #ms: number;

  constructor(start: number) {
    this.#ms = start;
  }

  now(): Date {
    return new Date(this.#ms);
  }

  tick(seconds: number): Date {
    this.#ms += seconds * 1000;
    return this.now();
  }
}

/** Polls `probe` until it returns something other than false/undefined. */
async function until<T>(
  what: string,
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A socket.io client with its own reconnection (unlike the harness's). */
function tabletSocket(url: string, token: string): TabletSocket {
  return io(`${url}/tablet`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    randomizationFactor: 0,
    timeout: 5000,
  }) as TabletSocket;
}

const METERS_PER_DEGREE = 111_195;

/** `point` moved `north` and `east` meters. */
function offset(
  point: { lat: number; lon: number },
  north: number,
  east: number,
): { lat: number; lon: number } {
  const lat = point.lat + north / METERS_PER_DEGREE;
  const lon =
    point.lon +
    east / (METERS_PER_DEGREE * Math.cos((point.lat * Math.PI) / 180));
  return { lat: Number(lat.toFixed(7)), lon: Number(lon.toFixed(7)) };
}

/** The incident (a street in central Porto Alegre). */
const SCENE = DOWNTOWN;
/** Where A01 waits for calls: 300 m south of the scene, same street. */
const STANDBY = offset(SCENE, -300, 0);
/** The way to Santa Casa (east-south-east of the scene): unit vector. */
const TO_HOSPITAL = { north: -0.37, east: 0.93 };

const CREW_PHASES = ['en_route', 'on_scene', 'transporting', 'at_hospital'];

describe('a crew tablet that loses signal mid-shift', () => {
  let t: TestServer;
  let dispatcher: string;
  const cleanup: (() => unknown)[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    dispatcher = await t.login('dispatcher', 'dispatcher-demo');
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
    await t?.close();
  });

  async function unitId(callSign: string): Promise<number> {
    const { body } = await t.request('GET', '/api/units', {
      token: dispatcher,
    });
    return (body as { id: number; callSign: string }[]).find(
      (unit) => unit.callSign === callSign,
    )!.id;
  }

  async function unit(id: number): Promise<{
    status: UnitStatus;
    statusSince: string;
    incidentId: number | null;
    lastPosition: PositionFix | null;
  }> {
    const { status, body } = await t.request('GET', `/api/units/${id}`, {
      token: dispatcher,
    });
    expect(status).toBe(200);
    return body;
  }

  /**
   * Puts the unit in the live state as last seen at `at` ten minutes ago
   * (stale: ranked from its station), before its tablet sends anything
   * and again after the test. With `REDIS_URL` every test server shares
   * one Redis, keyed by unit id: a position left there by another run (of
   * this or another test file) would otherwise be the unit's history here,
   * and this test's positions, some ahead of the clock, would be theirs.
   */
  async function park(id: number, at: { lat: number; lon: number }) {
    const long = new Date(Date.now() - 10 * 60_000).toISOString();
    await t.server.tracker.store.set({
      unitId: id,
      ...at,
      at: long,
      receivedAt: long,
      speedMps: 0,
      headingDeg: null,
      accuracyMeters: null,
      source: 'tablet',
    });
  }

  /** The unit's track once the batched writer has stored what it has. */
  async function track(id: number, atLeast: number) {
    const count = async () => {
      const [row] = await t.server.db.query<{ rows: number; times: number }>(
        `SELECT count(*)::int AS rows, count(DISTINCT at)::int AS times
           FROM unit_track WHERE unit_id = $1`,
        [id],
      );
      return row as { rows: number; times: number };
    };
    await until(
      `${atLeast} track rows of unit ${id}`,
      async () =>
        t.server.tracker.trackStats.queued === 0 &&
        (await count()).times >= atLeast,
    );
    const rows = await t.server.db.query<{ at: Date | string }>(
      'SELECT at FROM unit_track WHERE unit_id = $1 ORDER BY at',
      [id],
    );
    return {
      ...(await count()),
      at: rows.map((row) => new Date(row.at).toISOString()),
    };
  }

  async function statusEvents(id: number) {
    const rows = await t.server.db.query<{
      status: string;
      at: Date | string;
      event_id: string | null;
      source: string;
    }>(
      `SELECT status, at, event_id, source FROM unit_status_events
        WHERE unit_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((row) => ({
      status: row.status,
      at: new Date(row.at).toISOString(),
      eventId: row.event_id,
      source: row.source,
    }));
  }

  const fixesOf = (items: readonly OutboxItem[]) =>
    items.filter((item): item is QueuedFix => item.kind === 'fix');
  const statusesOf = (items: readonly OutboxItem[]) =>
    items.filter((item): item is QueuedStatus => item.kind === 'status');

  // Shared by the first two tests: the shift, then a replay of it.
  let a01: number;
  let crewA01: string;
  let incidentId: number;
  let shift: TabletOutbox;
  let shiftLink: RadioLink;

  it('queues offline, replays in order on reconnect, and the server applies each item exactly once', async () => {
    a01 = await unitId('A01');
    crewA01 = await t.login('crew-a01', 'crew-demo-pass');
    await park(a01, STANDBY);
    cleanup.push(() => park(a01, STANDBY));
    const { body: incident } = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: SCENE, priority: 1 },
    });
    incidentId = incident.id;
    const assigned = await t.request(
      'POST',
      `/api/incidents/${incidentId}/assign`,
      { token: dispatcher, body: { unitId: a01 } },
    );
    expect(assigned.status).toBe(200);

    // The tablet's clock starts at the dispatch (a crew's times may not
    // precede it) and steps a second per fix. The shift is compressed: the
    // test does not wait out each second, so the device times of the later
    // events run up to ~45 s ahead of the server's clock when they arrive,
    // inside the 60 s of clock skew the server accepts. What is proved is
    // that every event keeps the time the tablet gave it.
    const clock = new DeviceClock(
      Math.max(Date.parse(assigned.body.unit.statusSince), Date.now()),
    );
    const link = await RadioLink.open(t.url);
    shiftLink = link;
    cleanup.push(() => link.close());
    const socket = tabletSocket(link.url, crewA01);
    cleanup.push(() => socket.disconnect());
    const drops: string[] = [];
    socket.on('disconnect', (reason) => drops.push(reason));
    const outbox = new TabletOutbox(socket, { clock: () => clock.now() });
    shift = outbox;
    cleanup.push(() => outbox.close());
    await until('the tablet online', () => socket.connected);

    const atStandby = () => {
      clock.tick(1);
      return outbox.recordFix({
        ...STANDBY,
        speedMps: 0,
        headingDeg: null,
        accuracyMeters: 5,
      });
    };

    // Online: the crew walks to the ambulance; each fix is acked.
    for (let i = 0; i < 3; i++) {
      const fix = atStandby();
      await outbox.drained();
      expect(fix).toMatchObject({ sends: 1, outcome: APPLIED });
    }

    // A first drop: two fixes reach the server, their ack does not.
    link.fadeDownlink();
    const lostAcks = [atStandby(), atStandby()];
    const lastLost = lostAcks[1] as QueuedFix;
    await until(
      'the server to store the fixes whose ack is lost',
      async () => (await unit(a01)).lastPosition?.at === lastLost.fix.at,
    );
    link.cut();
    await until('the tablet to notice the drop', () => !socket.connected);
    expect(outbox.pending).toEqual(lostAcks);
    link.restore();
    await outbox.drained();
    // Resent on reconnect and recognised as stored: not stored again.
    for (const fix of lostAcks) {
      expect(fix).toMatchObject({ sends: 2, outcome: DUPLICATE });
    }

    // The real outage. The crew presses "en route" as the signal fades:
    // the server applies it, the ack never reaches the tablet.
    link.fadeDownlink();
    clock.tick(1);
    const enRoute = outbox.reportStatus('en_route');
    await until(
      'the server to apply en_route',
      async () => (await unit(a01)).status === 'en_route',
    );
    link.cut();
    await until('the tablet to notice the cut', () => !socket.connected);

    // Offline: 30 fixes up the street to the scene, 10 m a second...
    for (let i = 1; i <= 30; i++) {
      clock.tick(1);
      outbox.recordFix({
        ...offset(STANDBY, 10 * i, 0),
        speedMps: 10,
        headingDeg: 0,
        accuracyMeters: 5,
      });
    }
    clock.tick(1);
    const onScene = outbox.reportStatus('on_scene');
    for (let i = 0; i < 3; i++) {
      clock.tick(1);
      outbox.recordFix({
        ...SCENE,
        speedMps: 0,
        headingDeg: null,
        accuracyMeters: 5,
      });
    }
    // ...the patient is loaded, the transport to Santa Casa begins...
    clock.tick(1);
    const transporting = outbox.reportStatus('transporting');
    for (let i = 1; i <= 3; i++) {
      clock.tick(1);
      outbox.recordFix({
        ...offset(SCENE, 10 * i * TO_HOSPITAL.north, 10 * i * TO_HOSPITAL.east),
        speedMps: 10,
        headingDeg: 112,
        accuracyMeters: 5,
      });
    }
    clock.tick(1);
    const atHospital = outbox.reportStatus('at_hospital');

    // Nothing of it reached the server; all of it waits on the tablet.
    expect(socket.connected).toBe(false);
    expect(outbox.pending).toHaveLength(1 + 30 + 1 + 3 + 1 + 3 + 1);
    expect(outbox.pending[0]).toBe(enRoute);
    expect(await unit(a01)).toMatchObject({
      status: 'en_route',
      lastPosition: { at: lastLost.fix.at },
    });
    expect(
      clock.now().getTime() - Date.now(),
      'device clock within the skew the server accepts',
    ).toBeLessThan(55_000);

    // The signal is back: the tablet reconnects and replays.
    const replayedFrom = Date.now();
    link.restore();
    await outbox.drained(30_000);

    expect(outbox.pending).toEqual([]);
    // Both drops were cuts, not goodbyes: the tablet saw its transport die,
    // and the server still holds the two dead connections open (it would
    // time them out by heartbeat), beside the live one.
    expect(drops).toEqual(['transport close', 'transport close']);
    const serverSide = [...t.server.io.of('/tablet').sockets.values()].filter(
      (s) => s.data.principal.unitId === a01,
    );
    expect(serverSide).toHaveLength(3);
    const items = outbox.journal;
    for (const item of items) {
      expect(['applied', 'duplicate']).toContain(item.outcome?.kind);
    }
    // The report whose ack was lost went again and was recognised.
    expect(enRoute).toMatchObject({ sends: 2, outcome: DUPLICATE });
    for (const report of [onScene, transporting, atHospital]) {
      expect(report).toMatchObject({ sends: 1, outcome: APPLIED });
    }

    // The incident's log: each crew phase once, in order, at the device's
    // time, though stored during the replay.
    const statuses = statusesOf(items);
    const { body: after } = await t.request(
      'GET',
      `/api/incidents/${incidentId}`,
      { token: dispatcher },
    );
    const crewEvents = (
      after.timeline as {
        phase: string;
        at: string;
        recordedAt: string;
        unitId: number | null;
        source: string;
      }[]
    ).filter((event) => CREW_PHASES.includes(event.phase));
    expect(
      crewEvents.map(({ phase, at, unitId, source }) => ({
        phase,
        at,
        unitId,
        source,
      })),
    ).toEqual(
      statuses.map(({ report }) => ({
        phase: report.status,
        at: report.at,
        unitId: a01,
        source: 'crew',
      })),
    );
    for (const event of crewEvents.slice(1)) {
      expect(Date.parse(event.recordedAt)).toBeGreaterThanOrEqual(replayedFrom);
    }

    // The unit's own log: each eventId once, with its device time.
    expect(
      (await statusEvents(a01)).filter((event) => event.eventId !== null),
    ).toEqual(
      statuses.map(({ report }) => ({
        status: report.status,
        at: report.at,
        eventId: report.eventId,
        source: 'crew',
      })),
    );
    expect(await unit(a01)).toMatchObject({
      status: 'at_hospital',
      statusSince: atHospital.report.at,
      incidentId,
    });

    // The track: every fix sent, exactly once.
    const fixes = fixesOf(items);
    expect(fixes).toHaveLength(3 + 2 + 30 + 3 + 3);
    const stored = await track(a01, fixes.length);
    expect({ rows: stored.rows, times: stored.times }).toEqual({
      rows: fixes.length,
      times: fixes.length,
    });
    expect(stored.at).toEqual(fixes.map(({ fix }) => fix.at).sort());
    const newest = fixes.at(-1) as QueuedFix;
    expect((await unit(a01)).lastPosition).toEqual({
      lat: newest.fix.lat,
      lon: newest.fix.lon,
      at: newest.fix.at,
      speedMps: newest.fix.speedMps,
      headingDeg: newest.fix.headingDeg,
      accuracyMeters: newest.fix.accuracyMeters,
    });
  });

  it('changes nothing when the tablet replays its whole outbox again', async () => {
    expect(shift, 'the shift of the first test').toBeDefined();
    const ledger = async () => {
      const { body: incident } = await t.request(
        'GET',
        `/api/incidents/${incidentId}`,
        { token: dispatcher },
      );
      const { status, statusSince, lastPosition } = await unit(a01);
      const stored = await track(a01, fixesOf(shift.journal).length);
      return {
        timeline: incident.timeline,
        phase: incident.phase,
        unit: { status, statusSince, lastPosition },
        statusEvents: await statusEvents(a01),
        track: stored,
      };
    };
    const before = await ledger();

    // The tablet app restarts with a queue that lost its ack marks, and
    // sends the whole shift again: same ids, same device times.
    const socket = tabletSocket(shiftLink.url, crewA01);
    cleanup.push(() => socket.disconnect());
    const again = new TabletOutbox(socket, { stored: shift.journal });
    cleanup.push(() => again.close());
    await again.drained(30_000);

    expect(again.journal).toHaveLength(shift.journal.length);
    expect(
      again.journal.map((item) => [item.kind, item.sends, item.outcome]),
    ).toEqual(shift.journal.map((item) => [item.kind, 1, DUPLICATE]));
    expect(await ledger()).toEqual(before);
  });

  it('stores a long outage once even when the ack of its backlog is lost', async () => {
    // Two minutes without signal at one fix a second: 121 fixes in one
    // batch, more than the 64 recent device times per unit that the
    // tracker's duplicate check remembers (RECENT_TIMES in
    // unit-tracker/src/tracker.ts).
    const b02 = await unitId('B02');
    const crew = await t.login('crew-b02', 'crew-demo-pass');
    const { body: station } = await t.request('GET', `/api/units/${b02}`, {
      token: dispatcher,
    });
    const start = { lat: station.station.lat, lon: station.station.lon };
    await park(b02, start);
    cleanup.push(() => park(b02, start));

    const link = await RadioLink.open(t.url);
    cleanup.push(() => link.close());
    link.cut();
    const socket = tabletSocket(link.url, crew);
    cleanup.push(() => socket.disconnect());
    // When the signal returns, it fades again right after the handshake:
    // the backlog reaches the server, its ack does not. (The outbox sends
    // on a microtask after `connect`, so the fade comes first.)
    socket.once('connect', () => link.fadeDownlink());
    const outbox = new TabletOutbox(socket);
    cleanup.push(() => outbox.close());

    // Queued offline, device times 150 s to 30 s ago.
    const first = Date.now() - 150_000;
    for (let i = 0; i <= 120; i++) {
      outbox.recordFix({
        ...offset(start, 10 * i, 0),
        at: new Date(first + i * 1000).toISOString(),
        speedMps: 10,
        headingDeg: 0,
        accuracyMeters: 5,
      });
    }
    const fixes = fixesOf(outbox.journal);
    const last = fixes.at(-1) as QueuedFix;

    link.restore();
    await until(
      'the server to store the backlog',
      async () => (await unit(b02)).lastPosition?.at === last.fix.at,
    );
    link.cut();
    await until('the tablet to notice the drop', () => !socket.connected);
    expect(outbox.pending).toHaveLength(fixes.length);
    link.restore();
    await outbox.drained(30_000);

    for (const item of fixes) {
      expect(item.sends).toBe(2);
      expect(['applied', 'duplicate']).toContain(item.outcome?.kind);
    }
    const stored = await track(b02, fixes.length);
    expect({ rows: stored.rows, times: stored.times }).toEqual({
      rows: fixes.length,
      times: fixes.length,
    });
    expect(stored.at).toEqual(fixes.map(({ fix }) => fix.at));
  });
});

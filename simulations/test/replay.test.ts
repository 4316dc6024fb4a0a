import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { IncidentView, UnitView } from '@dispatch/server';

import {
  startTestServer,
  type TestServer,
} from '../../dispatch-server/test/harness.ts';
import {
  DEFAULT_SCENARIO,
  parseReplayArgs,
  ReplayError,
  runReplay,
  type ReplaySummary,
} from '../src/replay/index.ts';

/**
 * The demo scenario with a dense, short afternoon: about 3 calls a
 * simulated minute, short fixed times, priority-1 calls transported, so a
 * few simulated minutes exercise every phase in well under a minute.
 * B02's shift ends and B04's begins a simulated minute into the 15:00
 * window; B06's ends at 15:03, while it works the first call (sent at
 * about 15:00:55 with this seed, busy until about 15:10); C99 is a
 * scenario unit the server does not have.
 */
function fastScenario(): string {
  const scenario = JSON.parse(fs.readFileSync(DEFAULT_SCENARIO, 'utf8'));
  scenario.demand.callsPerHour = Array(24).fill(180);
  scenario.demand.priorityMix = { 1: 0.3, 2: 0.4, 3: 0.3 };
  scenario.times = {
    callProcessing: { distribution: 'fixed', seconds: 20 },
    turnout: { distribution: 'fixed', seconds: 20 },
    onScene: { distribution: 'fixed', seconds: 40 },
    transportProbability: { 1: 1, 2: 0, 3: 0 },
    handover: { distribution: 'fixed', seconds: 30 },
  };
  const unit = (callSign: string) =>
    scenario.fleet.units.find(
      (u: { callSign: string }) => u.callSign === callSign,
    );
  unit('B02').shifts = [{ start: '07:00', end: '15:01' }];
  unit('B04').shifts = [{ start: '15:01', end: '23:00' }];
  unit('B06').shifts = [{ start: '07:00', end: '15:03' }];
  scenario.fleet.units.push({
    callSign: 'C99',
    capability: 'ALS',
    station: 'poa-base-centro',
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
  const file = path.join(dir, 'fast.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  return file;
}

describe('live replay against a real dispatch server', () => {
  let test: TestServer;
  let summary: ReplaySummary;
  let dispatcherToken: string;
  const lines: string[] = [];

  beforeAll(async () => {
    // At 20x a unit's fixes imply 20x its road speed (8-13 m/s on average
    // over a city route here).
    test = await startTestServer({ TRACKER_MAX_SPEED_MPS: '300' });
    summary = await runReplay(
      parseReplayArgs(
        [
          '--url',
          test.url,
          '--speed',
          '20',
          '--minutes',
          '2',
          '--start',
          '15:00',
          '--scenario',
          fastScenario(),
          '--seed',
          'replay-test',
          '--drain-minutes',
          '30',
          '--gps-seconds',
          '4',
        ],
        {},
      ),
      { log: (line) => lines.push(line) },
    );
    dispatcherToken = await test.login('dispatcher', 'dispatcher-demo');
  }, 240_000);

  afterAll(async () => {
    await test?.close();
  });

  it('places every call of the window as an incident through the API', async () => {
    expect(summary.calls).toBeGreaterThanOrEqual(3);
    expect(summary.incidents.created).toBe(summary.calls);
    expect(summary.units).toBe(14);
    const { status, body } = await test.request('GET', '/api/incidents', {
      token: dispatcherToken,
    });
    expect(status).toBe(200);
    const ids = (body as IncidentView[]).map((i) => i.id).sort((a, b) => a - b);
    expect(ids).toEqual([...summary.incidentIds].sort((a, b) => a - b));
  });

  it('each incident was assigned, reached the scene and closed, per the server', async () => {
    for (const id of summary.incidentIds) {
      const { body } = await test.request('GET', `/api/incidents/${id}`, {
        token: dispatcherToken,
      });
      const incident = body as IncidentView;
      const phases = incident.timeline.map((e) => e.phase);
      expect(phases).toEqual(
        expect.arrayContaining([
          'received',
          'dispatched',
          'acknowledged',
          'en_route',
          'on_scene',
          'closed',
        ]),
      );
      expect(incident.open).toBe(false);
      expect(incident.intervals.response).toBeGreaterThan(0);
      const crewEvents = incident.timeline.filter(
        (e) => e.phase === 'en_route' || e.phase === 'on_scene',
      );
      expect(crewEvents.every((e) => e.source === 'crew')).toBe(true);
      if (incident.priority === 1) {
        expect(phases).toEqual(
          expect.arrayContaining(['transporting', 'at_hospital']),
        );
      }
    }
    expect(summary.incidents).toMatchObject({
      dispatched: summary.calls,
      onScene: summary.calls,
      closed: summary.calls,
      stillOpen: 0,
    });
  });

  it('the tablets drove their routes: GPS fixes stored and units moved', async () => {
    expect(summary.fixes.sent).toBeGreaterThan(10);
    expect(summary.fixes.accepted).toBe(summary.fixes.sent);
    // The tracker writes its track in batches a moment after the ack.
    await vi.waitFor(
      async () => {
        const rows = await test.server.db.query<{ count: string }>(
          'SELECT count(*) AS count FROM unit_track',
        );
        expect(Number(rows[0]?.count)).toBe(summary.fixes.accepted);
      },
      { timeout: 10_000, interval: 200 },
    );
    const { body } = await test.request('GET', '/api/units', {
      token: dispatcherToken,
    });
    const moved = (body as UnitView[]).filter((u) => u.lastPosition !== null);
    expect(moved.length).toBeGreaterThan(0);
  });

  it("keeps the scenario's shifts: B02 goes out of service and is not sent again, B04 comes on", async () => {
    expect(summary.shifts).toMatchObject({
      offAtStart: 1,
      started: 1,
      notOnServer: ['C99'],
      notInScenario: [],
    });
    expect(summary.shifts).toMatchObject({ ended: 2, endedAfterJob: 1 });
    expect(
      lines.some((l) => /scenario units the server does not have.*C99/.test(l)),
    ).toBe(true);
    const { body } = await test.request('GET', '/api/units', {
      token: dispatcherToken,
    });
    const byCallSign = new Map(
      (body as UnitView[]).map((u) => [u.callSign, u]),
    );
    const b02 = byCallSign.get('B02')!;
    const b06 = byCallSign.get('B06')!;
    expect(b02.status).toBe('out_of_service');
    expect(b06.status).toBe('out_of_service');
    expect(byCallSign.get('B04')!.status).toBe('available');
    // Nothing was assigned to B02 once it was out of service; B06 finished
    // its job before it went out of service.
    const offSince = Date.parse(b02.statusSince);
    let b06Jobs = 0;
    for (const id of summary.incidentIds) {
      const incident = (
        await test.request('GET', `/api/incidents/${id}`, {
          token: dispatcherToken,
        })
      ).body as IncidentView;
      for (const e of incident.timeline) {
        if (e.phase !== 'dispatched') continue;
        if (e.unitId === b02.id) {
          expect(Date.parse(e.recordedAt)).toBeLessThan(offSince);
        }
        if (e.unitId === b06.id) {
          b06Jobs++;
          const closed = incident.timeline.find((c) => c.phase === 'closed')!;
          expect(Date.parse(closed.recordedAt)).toBeLessThanOrEqual(
            Date.parse(b06.statusSince),
          );
        }
      }
    }
    expect(lines.some((l) => /B02 off shift: out of service/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /B04 shift begins: available/.test(l))).toBe(true);
    expect(b06Jobs).toBe(1);
    expect(
      lines.some((l) =>
        /B06 shift ends: out of service after this job/.test(l),
      ),
    ).toBe(true);
  });

  it('the console socket loaded a snapshot and received the live events and GPS', () => {
    const { consoles } = summary;
    expect(consoles.connections).toBe(1);
    expect(consoles.snapshots).toBe(1);
    expect(consoles.events['incident:created']).toBe(summary.calls);
    expect(consoles.events['incident:phase']).toBeGreaterThan(summary.calls);
    expect(consoles.events['unit:status']).toBeGreaterThan(summary.calls);
    expect(consoles.events['unit:positions']).toBeGreaterThan(0);
    expect(consoles.positionLatency.n).toBeGreaterThan(0);
    expect(consoles.positionLatency.n).toBeLessThanOrEqual(
      summary.fixes.accepted,
    );
    expect(consoles.positionLatency.p50Ms).toBeGreaterThan(0);
  });

  it('prints what it does and counts no errors', () => {
    expect(
      lines.some((l) => /call \d+ priority \d -> incident \d+/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => /en route to incident \d+/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^done: /);
    expect(summary.errors).toEqual({ count: 0, first: [] });
    expect(summary.statusRefused).toBe(0);
    expect(summary.simulatedResponse.measured).toBe(summary.calls);
    expect(summary.serverMetrics?.count).toBe(summary.calls);
  });
});

describe('replay arguments', () => {
  it.each([
    [['--speed', '0'], /--speed: expected a number from 0.1 to 1000, got "0"/],
    [['--minutes', 'lots'], /--minutes: expected a number/],
    [['--start', '25:00'], /--start: expected a time of day HH:MM/],
    [['--url', 'ftp://x'], /--url: expected http\(s\):\/\/host:port/],
    [['--fast'], /Unknown option '--fast'/],
    [
      ['--consoles', '1.5'],
      /--consoles: expected a whole number from 0 to 1000/,
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => parseReplayArgs(argv, {})).toThrow(message);
    expect(() => parseReplayArgs(argv, {})).toThrow(ReplayError);
  });

  it('takes passwords from the environment, the demo ones by default', () => {
    expect(parseReplayArgs([], {})).toMatchObject({
      url: 'http://127.0.0.1:3000',
      speed: 10,
      minutes: 60,
      startSeconds: 14 * 3600,
      dispatcherPassword: 'dispatcher-demo',
      crewPassword: 'crew-demo-pass',
      consoles: 1,
    });
    expect(parseReplayArgs(['--consoles', '0'], {}).consoles).toBe(0);
    expect(
      parseReplayArgs([], { REPLAY_CREW_PASSWORD: 's3cret' }).crewPassword,
    ).toBe('s3cret');
  });

  it('a server that is not there gives a clear error', async () => {
    const options = parseReplayArgs(['--url', 'http://127.0.0.1:9'], {});
    await expect(runReplay(options, { log: () => {} })).rejects.toThrow(
      /is the dispatch server running/,
    );
  });
});

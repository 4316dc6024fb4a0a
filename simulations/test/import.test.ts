import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { incidentIntervals } from '@dispatch/server/policy';

import {
  importCalls,
  ImportError,
  LANCASTER_NE,
  parseImportArgs,
  readExport,
  readExportText,
  readZip,
  REPO_ROOT,
  SAN_FRANCISCO,
  type ImportedCall,
} from '../src/import/index.ts';

const LANCASTER_ZIP = path.join(REPO_ROOT, LANCASTER_NE.defaultFile);

function call(calls: ImportedCall[], id: string): ImportedCall {
  const found = calls.find((c) => c.id === id);
  if (!found) throw new Error(`call ${id} not imported`);
  return found;
}

describe('the Lancaster County export (zip, UNIT=hh:mm:ss lists)', () => {
  const { result, report } = importCalls(LANCASTER_NE);

  it('reads the one CSV inside the zip with node zlib', () => {
    const entries = readZip(fs.readFileSync(LANCASTER_ZIP), 'rvfd.zip');
    expect(entries.map((e) => [e.name, e.data.length])).toEqual([
      ['rvfd-calls-for-service-2010-2020.csv', 5_373_398],
    ]);
  });

  it('counts rows read and skipped, with reasons', () => {
    expect(result.rowsRead).toBe(19_520);
    expect(result.calls).toHaveLength(18_363);
    expect(result.skipped).toMatchObject({
      no_times: 1152,
      duplicate_call: 5,
      wrong_field_count: 0,
      bad_time: 0,
      bad_unit_list: 0,
    });
    expect(report.import.rowsSkipped).toBe(1157);
    expect(result.skippedExamples[0]).toEqual({
      line: 2,
      reason: 'no_times',
      detail: 'call 10000015 has no phase time',
    });
  });

  it('measures a hand-checked call: first dispatch, first en route, first arrival', () => {
    // 33C2; dispatch WAVE1=06:51:33, WAVE12=06:51:33, M5=07:05:17; en
    // route WAVE12=07:03:23, M5=07:07:01; arrive WAVE12=07:06:23.
    const c = call(result.calls, '10000031');
    expect(c.priority).toBe(2);
    expect(c.priorityValue).toBe('33C2');
    expect(c.hour).toBe(6);
    // Central time in January is UTC-6.
    expect(c.firstAt.toISOString()).toBe('2010-01-01T12:51:33.000Z');
    expect(incidentIntervals(c.events)).toEqual({
      callProcessing: null,
      turnout: 710,
      travel: 180,
      response: null,
    });
  });

  it('rolls clock times past midnight onto the next day', () => {
    // SW1 dispatched 23:51:31, en route 23:52:52, arrived 00:02:15.
    const a = incidentIntervals(call(result.calls, '10001556').events);
    expect(a).toMatchObject({ turnout: 81, travel: 563 });
    // HICK1 and M6 dispatched 23:58:57; M6 en route 00:00:34; HICK1 on
    // scene 00:05:02, M6 00:15:42.
    const b = call(result.calls, '10013944');
    expect(incidentIntervals(b.events)).toMatchObject({
      turnout: 97,
      travel: 268,
    });
    const arrivals = b.events.filter((e) => e.phase === 'on_scene');
    expect(arrivals.map((e) => e.at.toISOString())).toEqual([
      '2010-08-31T05:05:02.000Z',
      '2010-08-31T05:15:42.000Z',
    ]);
  });

  it('reports what can be computed and says what cannot', () => {
    expect(report.intervals.callProcessing).toEqual({
      count: 0,
      p50: null,
      p90: null,
    });
    expect(report.intervals.response.count).toBe(0);
    expect(report.withinTargetRatio).toBeNull();
    expect(report.intervals.turnout.count).toBeGreaterThan(16_000);
    expect(report.dispatchToOnScene.count).toBeGreaterThan(15_000);
    expect(report.dispatchToOnScene.withinTargetRatio).toBeGreaterThan(0);
    expect(report.byHourInterval).toBe('dispatchToOnScene');
    expect(report.byHour).toHaveLength(24);
    expect(report.byHour.reduce((n, h) => n + h.count, 0)).toBe(18_363);
    expect(report.import.limitations.join(' ')).toMatch(
      /no call-received time/,
    );
    const byPriority = report.byPriority!;
    expect(
      byPriority[1]!.count + byPriority[2]!.count + byPriority[3]!.count,
    ).toBe(18_363 - report.import.unprioritised.count);
    expect(report.import.unprioritised.topValues).toHaveProperty('FIREC');
  });

  it('estimates the demand a scenario can replay: hourly rates and a calendar', () => {
    const demand = report.demand!;
    // 2010-01-01 to 2020-12-31 (a call at 19:38 local on New Year's Eve).
    expect(demand.calendar.startDate).toBe('2010-01-01');
    expect(demand.days).toBe(4018);
    // The hourly rates over the span give back the calls (rounding aside).
    const perDay = demand.callsPerHour.reduce((a, b) => a + b, 0);
    expect(Math.abs(perDay * demand.days - 18_363)).toBeLessThan(50);
    // Afternoons are busier than small hours, Saturdays than Wednesdays.
    expect(demand.callsPerHour[17]!).toBeGreaterThan(
      3 * demand.callsPerHour[3]!,
    );
    const [, , wed, , , sat] = demand.calendar.weekdayFactors;
    expect(sat!).toBeGreaterThan(wed! + 0.1);
    // Factors are against the mean day: weighted by days, they average 1.
    const mean = (f: number[], weights: number[]) =>
      f.reduce((s, x, i) => s + x * weights[i]!, 0) /
      weights.reduce((a, b) => a + b, 0);
    expect(
      mean(demand.calendar.weekdayFactors, [1, 1, 1, 1, 1, 1, 1]),
    ).toBeCloseTo(1, 1);
    expect(
      mean(
        demand.calendar.monthFactors,
        [31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
      ),
    ).toBeCloseTo(1, 2);
  });
});

describe('the San Francisco export (one row per unit, full date-times)', () => {
  const { result, report } = importCalls(SAN_FRANCISCO);

  it('groups 7,704 unit rows into 3,560 calls, none skipped', () => {
    expect(result.rowsRead).toBe(7704);
    expect(result.calls).toHaveLength(3560);
    expect(report.import.rowsSkipped).toBe(0);
    expect(report.import.withLocation).toBe(3560);
  });

  it('measures a hand-checked call across its units and midnight', () => {
    // E38 and AM30: received 23:52:01, dispatched 23:55:20, E38 en route
    // 23:55:34, E38 on scene 00:00:32 on New Year's Day.
    const c = call(result.calls, '16146989');
    expect(c.priority).toBe(1);
    expect(c.location).toEqual({
      lat: 37.8051625655624,
      lon: -122.432957440518,
    });
    expect(c.hour).toBe(23);
    expect(new Set(c.events.map((e) => e.unit))).toEqual(
      new Set(['E38', 'AM30']),
    );
    expect(incidentIntervals(c.events)).toEqual({
      callProcessing: 199,
      turnout: 14,
      travel: 298,
      response: 511,
    });
  });

  it('reports response against the target, by priority and by hour', () => {
    expect(report.count).toBe(3560);
    expect(report.targetSeconds).toBe(180);
    expect(report.intervals.response.count).toBe(3429);
    expect(report.withinTargetRatio).toBeGreaterThan(0);
    expect(report.withinTargetRatio).toBeLessThan(1);
    expect(report.byPriority![1]!.count).toBe(2098);
    expect(report.byPriority![2]!.count).toBe(1462);
    expect(report.byHourInterval).toBe('response');
    expect(report.byHour.reduce((n, h) => n + h.measured, 0)).toBe(3429);
    expect(report.from).toBe('2016-12-31T08:01:04.000Z');
  });

  it('reads the same through the mapping written as a JSON file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-'));
    const file = path.join(dir, 'sf.json');
    fs.writeFileSync(file, JSON.stringify({ ...SAN_FRANCISCO, id: 'sf-json' }));
    const args = parseImportArgs(['--mapping', file]);
    const again = importCalls(
      args.mapping,
      path.join(REPO_ROOT, SAN_FRANCISCO.defaultFile),
    );
    expect(again.report.intervals).toEqual(report.intervals);
    expect(again.report.import.format).toBe('sf-json');
  });
});

describe('malformed rows are skipped with a reason, never a crash', () => {
  const header =
    'fdid,incident_num,incident_date,Mutual_Aid_FDID,Mutual_Aid_State,Mutual_Aid_Incident_Num,response_level,call_type,Unit_Dispatch_Times,Unit_Enroute_Times,Unit_Arrive_Times,Unit_At_Patient_Times,Unit_Enroute_To_Hospital_Times,Unit_Arrive_At_Hospital_Times,Unit_Staging_Times,Unit_Fire_Out_Times,Unit_Clear_Times,Time_In_Service,disposition_remarks';
  const row = (id: string, date: string, dispatch: string, arrive = 'NULL') =>
    `1,${id},${date},NULL,NULL,NULL,MA,10D1,"${dispatch}",NULL,"${arrive}",NULL,NULL,NULL,NULL,NULL,NULL,NULL,x`;

  it('names the reason and the value for each kind of bad row', () => {
    const text = [
      header,
      row('1', '3/4/15 0:00', 'M1=10:00:00', 'M1=10:05:00'),
      row('', '3/4/15 0:00', 'M1=10:00:00'),
      row('3', '3/44/15 0:00', 'M1=10:00:00'),
      row('4', '3/4/15 0:00', 'M1 10:00:00'),
      row('5', '3/4/15 0:00', 'M1=25:00:00'),
      row('6', '3/4/15 0:00', 'NULL'),
      row('1', '3/4/15 0:00', 'M1=11:00:00'),
      '1,8,3/4/15 0:00,short row',
      row('9', '2/29/16 0:00', 'M1=23:59:00', 'M1=00:03:00'),
    ].join('\r\n');
    const result = readExport(text, LANCASTER_NE);
    expect(result.rowsRead).toBe(9);
    expect(result.calls.map((c) => c.id)).toEqual(['1', '9']);
    expect(result.skipped).toEqual({
      wrong_field_count: 1,
      no_call_id: 1,
      duplicate_call: 1,
      bad_date: 1,
      bad_time: 1,
      bad_unit_list: 1,
      no_times: 1,
      bad_location: 0,
    });
    expect(result.skippedExamples).toEqual([
      { line: 3, reason: 'no_call_id', detail: 'empty incident_num' },
      { line: 4, reason: 'bad_date', detail: 'incident_date: "3/44/15 0:00"' },
      {
        line: 5,
        reason: 'bad_unit_list',
        detail: 'Unit_Dispatch_Times: "M1 10:00:00" is not UNIT=hh:mm:ss',
      },
      {
        line: 6,
        reason: 'bad_time',
        detail: 'Unit_Dispatch_Times: "M1=25:00:00" has no valid hh:mm:ss',
      },
      { line: 7, reason: 'no_times', detail: 'call 6 has no phase time' },
      { line: 8, reason: 'duplicate_call', detail: 'call 1 also on line 2' },
      {
        line: 9,
        reason: 'wrong_field_count',
        detail: '4 fields, the header has 19',
      },
    ]);
    // A leap day and a roll-over: 23:59 to 00:03 is 240 s.
    const leap = incidentIntervals(call(result.calls, '9').events);
    expect(result.calls[1]!.firstAt.toISOString()).toBe(
      '2016-03-01T05:59:00.000Z',
    );
    expect(leap.response).toBeNull();
    expect(call(result.calls, '9').events[1]!.at.toISOString()).toBe(
      '2016-03-01T06:03:00.000Z',
    );
  });

  it('skips bad date-times and locations in a unit-per-row export', () => {
    const lines = fs
      .readFileSync(path.join(REPO_ROOT, SAN_FRANCISCO.defaultFile), 'utf8')
      .split('\n');
    const good = lines[2]!;
    const text = [
      lines[0],
      good,
      good.replace('12/31/2016 11:55:20 PM', '12/31/2016 13:55:20 PM'),
      good.replace('(37.8051625655624, -122.432957440518)', 'somewhere'),
      good.replace(/"\([^"]*\)"/, '"(91, 0)"'),
    ].join('\n');
    const result = readExport(text, SAN_FRANCISCO);
    expect(result.calls).toHaveLength(1);
    expect(result.skipped).toMatchObject({ bad_time: 1, bad_location: 2 });
    expect(result.skippedExamples[0]).toEqual({
      line: 3,
      reason: 'bad_time',
      detail: 'Dispatch DtTm: "12/31/2016 13:55:20 PM"',
    });
  });

  it('never throws on arbitrary rows under a good header', () => {
    const field = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'NULL',
        'M1=10:00:00',
        'M1=99:00:00',
        '1/2/19 0:00',
        '"',
        ',',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 20 }), {
          maxLength: 20,
        }),
        (rows) => {
          const text = [header, ...rows.map((r) => r.join(','))].join('\n');
          const result = readExport(text, LANCASTER_NE);
          const skipped = Object.values(result.skipped).reduce((a, b) => a + b);
          expect(result.calls.length + skipped).toBe(result.rowsRead);
        },
      ),
      { numRuns: 300, seed: 6 },
    );
  });

  it('a file without a mapped column is refused, naming the column', () => {
    expect(() => readExport('a,b\n1,2\n', SAN_FRANCISCO)).toThrow(
      /no column "Incident Number" for format san-francisco; the header has: a, b/,
    );
    expect(() => readExport('', SAN_FRANCISCO)).toThrow(/the file is empty/);
  });

  it('a file that is not a zip is refused with a clear error', () => {
    expect(() =>
      readZip(Buffer.from('not a zip at all, just text'), 'x.zip'),
    ).toThrow('x.zip: not a zip archive (no end of central directory)');
    expect(() => readExportText('/nonexistent/export.csv')).toThrow(
      'cannot read /nonexistent/export.csv',
    );
  });
});

describe('import:calls arguments', () => {
  it.each([
    [
      ['--format', 'boston'],
      /--format: unknown format "boston"; known: lancaster-ne, san-francisco/,
    ],
    [[], /give one of --format or --mapping/],
    [
      ['--format', 'lancaster-ne', '--target=-1'],
      /--target: expected a positive number/,
    ],
    [
      ['--format', 'lancaster-ne', '--target', 'soon'],
      /--target: expected a positive number of seconds, got "soon"/,
    ],
    [['--format', 'lancaster-ne', '--speed', '2'], /Unknown option '--speed'/],
    [
      ['--mapping', '/nonexistent.json'],
      /--mapping: cannot read \/nonexistent.json as JSON/,
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => parseImportArgs(argv)).toThrow(message);
    expect(() => parseImportArgs(argv)).toThrow(ImportError);
  });

  it('a mapping file missing a field is refused, naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...SAN_FRANCISCO, layout: 'grid' }),
    );
    expect(() => parseImportArgs(['--mapping', file])).toThrow(
      /"layout": expected "call-per-row" or "unit-per-row"/,
    );
  });

  it('the command prints the summary, writes the report, and exits 2 on a bad format', async () => {
    const run = promisify(execFile);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'import-'));
    const ok = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'simulations/bin/import-calls.ts',
        '--format',
        'san-francisco',
        '--out',
        out,
      ],
      { cwd: REPO_ROOT },
    );
    expect(ok.stdout).toMatch(/rows read 7704, skipped 0, calls 3560/);
    const written = JSON.parse(
      fs.readFileSync(path.join(out, 'response-times.json'), 'utf8'),
    );
    expect(written.intervals.response.count).toBe(3429);
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', 'simulations/bin/import-calls.ts', '--format', 'x'],
      { cwd: REPO_ROOT },
    ).catch((err: { code: number; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /import:calls: --format: unknown format "x"/,
    );
  });
});

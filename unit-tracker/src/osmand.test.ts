import { describe, expect, it } from 'vitest';

import { parseOsmand, type OsmandParse, type OsmandReport } from './osmand.ts';

/** What Traccar Client Android (up to 8.x) puts in the URL. */
const ANDROID_QUERY =
  'id=123456&timestamp=1700000000&lat=-30.03&lon=-51.2&speed=10.0' +
  '&bearing=90.0&altitude=12.0&accuracy=5.0&batt=87.0';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json; charset=utf-8';

/** A Traccar Client 9 location, as its background SDK serialises it. */
function clientLocation(overrides: Record<string, unknown> = {}) {
  return {
    timestamp: '2025-06-15T03:02:58.577Z',
    coords: {
      latitude: -20.4178477,
      longitude: -40.3370157,
      accuracy: 100,
      speed: -1,
      heading: -1,
      altitude: 2.4,
    },
    is_moving: false,
    odometer: 0,
    battery: { level: 0.69, is_charging: false },
    activity: { type: 'still' },
    extras: {},
    ...overrides,
  };
}

function withCoords(coords: Record<string, unknown>) {
  return clientLocation({ coords: { ...clientLocation().coords, ...coords } });
}

function jsonBody(location: unknown, deviceId: unknown = '981866116'): string {
  return JSON.stringify({ location, device_id: deviceId });
}

function reports(result: OsmandParse): OsmandReport[] {
  if (!result.ok) throw new Error(`expected ok, got "${result.reason}"`);
  return result.reports;
}

function only(result: OsmandParse): OsmandReport {
  const all = reports(result);
  expect(all).toHaveLength(1);
  return all[0]!;
}

function fromQuery(query: string): OsmandReport {
  return only(parseOsmand(query, '', undefined));
}

function reasonFor(query: string): string | undefined {
  const result = parseOsmand(query, '', undefined);
  return result.ok ? undefined : result.reason;
}

/** The Android query with one parameter replaced (or removed if null). */
function androidWith(key: string, value: string | null): string {
  const params = new URLSearchParams(ANDROID_QUERY);
  if (value === null) params.delete(key);
  else params.set(key, value);
  return params.toString();
}

describe('parseOsmand: query and form parameters', () => {
  it('reads every field of a Traccar Client Android query', () => {
    const { deviceId, fix } = fromQuery(ANDROID_QUERY);

    expect(deviceId).toBe('123456');
    expect(fix.lat).toBe(-30.03);
    expect(fix.lon).toBe(-51.2);
    expect(fix.at.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(fix.speedMps).toBeCloseTo(5.14444, 9);
    expect(fix.headingDeg).toBe(90);
    expect(fix.altitudeMeters).toBe(12);
    expect(fix.accuracyMeters).toBe(5);
    expect(fix.batteryPercent).toBe(87);
  });

  it('converts speed from knots to metres per second', () => {
    expect(fromQuery(androidWith('speed', '10')).fix.speedMps).toBeCloseTo(
      5.14444,
      9,
    );
    expect(fromQuery(androidWith('speed', '0')).fix.speedMps).toBe(0);
    expect(fromQuery(androidWith('speed', '97.2')).fix.speedMps).toBeCloseTo(
      50.0039568,
      6,
    );
  });

  it('reads the same parameters from a form POST body', () => {
    const result = parseOsmand('', ANDROID_QUERY, `${FORM}; charset=UTF-8`);

    expect(only(result)).toEqual(fromQuery(ANDROID_QUERY));
  });

  it('merges a form body over the query, the body winning', () => {
    const report = only(
      parseOsmand(
        'id=123456&lat=1&lon=2',
        'lat=-30.03&timestamp=1700000000',
        FORM,
      ),
    );

    expect(report.deviceId).toBe('123456');
    expect(report.fix.lat).toBe(-30.03);
    expect(report.fix.lon).toBe(2);
  });

  it('ignores the body unless it is a form', () => {
    const body = 'id=123456&timestamp=1700000000&lat=-30.03&lon=-51.2';

    expect(parseOsmand('', body, undefined)).toEqual({
      ok: false,
      reason: 'missing device id',
    });
    expect(parseOsmand('', body, 'text/plain')).toEqual({
      ok: false,
      reason: 'missing device id',
    });
  });

  it('accepts deviceid for the device and heading for the bearing', () => {
    const report = fromQuery(
      'deviceid=AMB-12&timestamp=1700000000&lat=-30.03&lon=-51.2&heading=270.5',
    );

    expect(report.deviceId).toBe('AMB-12');
    expect(report.fix.headingDeg).toBe(270.5);
  });

  it('reads the position from location=lat,lon', () => {
    const { fix } = fromQuery(
      'id=123456&timestamp=1700000000&location=-30.03,-51.2',
    );

    expect(fix.lat).toBe(-30.03);
    expect(fix.lon).toBe(-51.2);
  });

  it('reads location with a percent-encoded comma', () => {
    const { fix } = fromQuery(
      'id=123456&timestamp=1700000000&location=-30.03%2C-51.2',
    );

    expect([fix.lat, fix.lon]).toEqual([-30.03, -51.2]);
  });

  it('leaves absent optional fields null', () => {
    const { fix } = fromQuery('id=1&timestamp=1700000000&lat=-30.03&lon=-51.2');

    expect(fix).toEqual({
      lat: -30.03,
      lon: -51.2,
      at: new Date('2023-11-14T22:13:20Z'),
      speedMps: null,
      headingDeg: null,
      altitudeMeters: null,
      accuracyMeters: null,
      batteryPercent: null,
    });
  });

  it('treats an empty value as absent', () => {
    expect(fromQuery(androidWith('speed', '')).fix.speedMps).toBeNull();
    expect(reasonFor(androidWith('lat', ''))).toBe('missing lat');
  });

  it('turns a negative speed into unknown', () => {
    expect(fromQuery(androidWith('speed', '-1.0')).fix.speedMps).toBeNull();
  });

  it('keeps a negative altitude (below sea level)', () => {
    expect(fromQuery(androidWith('altitude', '-28.5')).fix.altitudeMeters).toBe(
      -28.5,
    );
  });

  it('keeps the position but not a measurement no device reports (a misconfigured tracker)', () => {
    const { fix } = fromQuery(androidWith('altitude', '1e300'));
    expect(fix.altitudeMeters).toBeNull();
    expect(fix.lat).toBeCloseTo(-30.03, 1);
    expect(fromQuery(androidWith('batt', '250')).fix.batteryPercent).toBeNull();
    expect(fromQuery(androidWith('bearing', '720')).fix.headingDeg).toBeNull();
    expect(fromQuery(androidWith('accuracy', '5.0')).fix.accuracyMeters).toBe(
      5,
    );
  });

  it('accepts the exponent form Kotlin prints for tiny doubles', () => {
    const { fix } = fromQuery(androidWith('speed', '1.0E-4'));

    expect(fix.speedMps).toBeCloseTo(0.0000514444, 12);
  });

  it('passes (0,0) and future times on to the filter', () => {
    const report = fromQuery('id=123456&timestamp=4102444800&lat=0&lon=0');

    expect([report.fix.lat, report.fix.lon]).toEqual([0, 0]);
    expect(report.fix.at.toISOString()).toBe('2100-01-01T00:00:00.000Z');
  });

  it('accepts the extreme coordinates', () => {
    const { fix } = fromQuery('id=1&timestamp=1700000000&lat=-90&lon=180');

    expect([fix.lat, fix.lon]).toEqual([-90, 180]);
  });
});

describe('parseOsmand: timestamps', () => {
  const at = (timestamp: string) =>
    fromQuery(androidWith('timestamp', timestamp)).fix.at.toISOString();

  it('reads epoch seconds', () => {
    expect(at('1700000000')).toBe('2023-11-14T22:13:20.000Z');
  });

  it('reads epoch milliseconds, told apart by magnitude', () => {
    expect(at('1693222306574')).toBe('2023-08-28T11:31:46.574Z');
  });

  it('takes values up to 1e11 as seconds and above as milliseconds', () => {
    expect(at('100000000000')).toBe('5138-11-16T09:46:40.000Z');
    expect(at('100000000001')).toBe('1973-03-03T09:46:40.001Z');
  });

  it('reads ISO 8601 with Z, an offset and fractions of a second', () => {
    expect(at('2025-06-15T03:02:58.577Z')).toBe('2025-06-15T03:02:58.577Z');
    expect(at('2025-06-15T00:02:58-03:00')).toBe('2025-06-15T03:02:58.000Z');
    expect(at('2025-06-15T08:32:58+0530')).toBe('2025-06-15T03:02:58.000Z');
    expect(at('2025-06-15T03:02:58.5Z')).toBe('2025-06-15T03:02:58.500Z');
  });

  it('takes the Traccar form yyyy-MM-dd HH:mm:ss as UTC', () => {
    const previous = process.env.TZ;
    process.env.TZ = 'America/Sao_Paulo';
    try {
      expect(at('2025-06-15 03:02:58')).toBe('2025-06-15T03:02:58.000Z');
      expect(at('2025-06-15T03:02:58')).toBe('2025-06-15T03:02:58.000Z');
      // A '+' in a query string is a space: the raw form as sent unencoded.
      expect(
        fromQuery('id=1&lat=1&lon=1&timestamp=2025-06-15+03:02:58').fix.at,
      ).toEqual(new Date('2025-06-15T03:02:58Z'));
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('refuses a request without a timestamp instead of using now', () => {
    expect(reasonFor(androidWith('timestamp', null))).toBe('missing timestamp');
  });

  it.each([
    ['yesterday'],
    ['Nov 14 2023 22:13:20'],
    ['2025-02-30 00:00:00'],
    ['2025-06-15 24:00:00'],
    ['2025-06-15T03:02:58+25:00'],
    ['1e400'],
    ['99999999999999999999'],
  ])('refuses the unreadable timestamp %s', (timestamp) => {
    expect(reasonFor(androidWith('timestamp', timestamp))).toBe(
      'invalid timestamp',
    );
  });
});

describe('parseOsmand: refusals of the query form', () => {
  it('refuses a request without a device id', () => {
    expect(reasonFor(androidWith('id', null))).toBe('missing device id');
  });

  it('accepts a device id of 100 characters and refuses 101', () => {
    expect(fromQuery(androidWith('id', 'a'.repeat(100))).deviceId).toHaveLength(
      100,
    );
    expect(reasonFor(androidWith('id', 'a'.repeat(101)))).toBe(
      'invalid device id',
    );
  });

  it('counts device id length in characters, not UTF-16 units', () => {
    const id = 'ü'.repeat(50) + '🚑'.repeat(50);

    expect(fromQuery(androidWith('id', id)).deviceId).toBe(id);
  });

  it('accepts inner spaces in a device id', () => {
    expect(fromQuery(androidWith('id', 'Ambulance 12')).deviceId).toBe(
      'Ambulance 12',
    );
  });

  it.each([
    ['a newline', '123\n456'],
    ['a NUL', '123\u0000'],
    ['a tab', '123\t456'],
    ['a leading space', ' 123456'],
    ['a trailing space', '123456 '],
    ['only spaces', '   '],
    ['a zero-width space', '123\u200b456'],
  ])('refuses a device id with %s', (_, id) => {
    expect(reasonFor(androidWith('id', id))).toBe('invalid device id');
  });

  it('refuses a request without lat or lon', () => {
    expect(reasonFor(androidWith('lat', null))).toBe('missing lat');
    expect(reasonFor(androidWith('lon', null))).toBe('missing lon');
  });

  it.each([
    ['abc'],
    ['NaN'],
    ['Infinity'],
    ['1e400'],
    ['0x1f'],
    ['-30,03'],
    [' '],
  ])('refuses the unreadable latitude %j', (lat) => {
    expect(reasonFor(androidWith('lat', lat))).toBe('invalid lat');
  });

  it('refuses coordinates out of range', () => {
    expect(reasonFor(androidWith('lat', '90.0001'))).toBe('lat out of range');
    expect(reasonFor(androidWith('lat', '-91'))).toBe('lat out of range');
    expect(reasonFor(androidWith('lon', '-180.5'))).toBe('lon out of range');
    expect(reasonFor(androidWith('lon', '181'))).toBe('lon out of range');
  });

  it('refuses a malformed location parameter', () => {
    const base = 'id=1&timestamp=1700000000&location=';

    expect(reasonFor(`${base}-30.03`)).toBe('invalid location');
    expect(reasonFor(`${base}-30.03,-51.2,3`)).toBe('invalid location');
    expect(reasonFor(`${base}abc,-51.2`)).toBe('invalid lat');
    expect(reasonFor(`${base}-30.03,`)).toBe('invalid lon');
    expect(reasonFor(`${base}95,-51.2`)).toBe('lat out of range');
  });

  it.each([
    ['speed', 'speed'],
    ['bearing', 'heading'],
    ['altitude', 'altitude'],
    ['accuracy', 'accuracy'],
    ['batt', 'battery'],
  ])('refuses an unreadable %s', (key, name) => {
    expect(reasonFor(androidWith(key, 'abc'))).toBe(`invalid ${name}`);
    expect(reasonFor(androidWith(key, '1e400'))).toBe(`invalid ${name}`);
  });

  it('refuses an unreadable heading sent instead of bearing', () => {
    const query = new URLSearchParams(androidWith('bearing', null));
    query.set('heading', 'abc');

    expect(reasonFor(query.toString())).toBe('invalid heading');
  });

  it('refuses an unreadable form body value like a query one', () => {
    const result = parseOsmand(ANDROID_QUERY, 'speed=fast', FORM);

    expect(result).toEqual({ ok: false, reason: 'invalid speed' });
  });
});

describe('parseOsmand: Traccar Client 9 JSON', () => {
  it('reads a single location, -1 speed and heading as unknown', () => {
    const report = only(parseOsmand('', jsonBody(clientLocation()), JSON_TYPE));

    expect(report.deviceId).toBe('981866116');
    expect(report.fix).toMatchObject({
      lat: -20.4178477,
      lon: -40.3370157,
      at: new Date('2025-06-15T03:02:58.577Z'),
      speedMps: null,
      headingDeg: null,
      accuracyMeters: 100,
      altitudeMeters: 2.4,
    });
    expect(report.fix.batteryPercent).toBeCloseTo(69, 9);
  });

  it('takes the JSON speed as metres per second, not knots', () => {
    const body = jsonBody(withCoords({ speed: 13.9, heading: 158.44 }));
    const { fix } = only(parseOsmand('', body, JSON_TYPE));

    expect(fix.speedMps).toBe(13.9);
    expect(fix.headingDeg).toBe(158.44);
  });

  it('reads a batch as several reports, in order', () => {
    const body = jsonBody([
      clientLocation({ timestamp: '2025-06-15T03:02:58.000Z' }),
      clientLocation({
        timestamp: '2025-06-15T03:03:28.000Z',
        coords: { latitude: -20.42, longitude: -40.34, speed: 8.3 },
        battery: { level: 1, is_charging: true },
      }),
    ]);
    const all = reports(parseOsmand('', body, 'application/json'));

    expect(all.map((r) => r.deviceId)).toEqual(['981866116', '981866116']);
    expect(all.map((r) => r.fix.at.toISOString())).toEqual([
      '2025-06-15T03:02:58.000Z',
      '2025-06-15T03:03:28.000Z',
    ]);
    expect(all[1]!.fix).toMatchObject({
      lat: -20.42,
      lon: -40.34,
      speedMps: 8.3,
      headingDeg: null,
      batteryPercent: 100,
    });
  });

  it('reads an empty batch as no reports', () => {
    expect(parseOsmand('', jsonBody([]), JSON_TYPE)).toEqual({
      ok: true,
      reports: [],
    });
  });

  it('refuses a batch with one unreadable entry, naming it', () => {
    const body = jsonBody([
      clientLocation(),
      clientLocation({ timestamp: undefined }),
    ]);

    expect(parseOsmand('', body, JSON_TYPE)).toEqual({
      ok: false,
      reason: 'location[1]: missing timestamp',
    });
  });

  it('ignores the query string', () => {
    const result = parseOsmand(
      ANDROID_QUERY,
      jsonBody(clientLocation()),
      JSON_TYPE,
    );

    expect(only(result).deviceId).toBe('981866116');
  });

  it('leaves a missing battery null', () => {
    const body = jsonBody(clientLocation({ battery: undefined }));

    expect(
      only(parseOsmand('', body, JSON_TYPE)).fix.batteryPercent,
    ).toBeNull();
  });

  it.each([
    ['invalid JSON', 'not json', 'invalid JSON'],
    [
      'a truncated body',
      jsonBody(clientLocation()).slice(0, 40),
      'invalid JSON',
    ],
    ['an empty body', '', 'invalid JSON'],
    ['a top-level array', '[]', 'invalid JSON'],
    ['no location', JSON.stringify({ device_id: '1' }), 'missing location'],
    ['a non-object location', jsonBody('here'), 'invalid location'],
    [
      'no device id',
      JSON.stringify({ location: clientLocation() }),
      'missing device id',
    ],
    [
      'a numeric device id',
      jsonBody(clientLocation(), 42),
      'invalid device id',
    ],
    [
      'a long device id',
      jsonBody(clientLocation(), 'x'.repeat(101)),
      'invalid device id',
    ],
    [
      'no coords',
      jsonBody(clientLocation({ coords: undefined })),
      'missing lat',
    ],
    [
      'no longitude',
      jsonBody(withCoords({ longitude: undefined })),
      'missing lon',
    ],
    [
      'a string latitude',
      jsonBody(withCoords({ latitude: '-20.4' })),
      'invalid lat',
    ],
    [
      'a latitude of 91',
      jsonBody(withCoords({ latitude: 91 })),
      'lat out of range',
    ],
    [
      'a longitude of -181',
      jsonBody(withCoords({ longitude: -181 })),
      'lon out of range',
    ],
    [
      'a string speed',
      jsonBody(withCoords({ speed: 'fast' })),
      'invalid speed',
    ],
    [
      'no timestamp',
      jsonBody(clientLocation({ timestamp: undefined })),
      'missing timestamp',
    ],
    [
      'an unreadable timestamp',
      jsonBody(clientLocation({ timestamp: 'now' })),
      'invalid timestamp',
    ],
    [
      'a boolean timestamp',
      jsonBody(clientLocation({ timestamp: true })),
      'invalid timestamp',
    ],
    [
      'a string battery level',
      jsonBody(clientLocation({ battery: { level: 'full' } })),
      'invalid battery',
    ],
  ])('refuses %s', (_, body, reason) => {
    expect(parseOsmand('', body, JSON_TYPE)).toEqual({ ok: false, reason });
  });

  it('refuses a latitude that overflows to Infinity', () => {
    const body = jsonBody(clientLocation()).replace('-20.4178477', '1e400');

    expect(parseOsmand('', body, JSON_TYPE)).toEqual({
      ok: false,
      reason: 'invalid lat',
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseOsmand } from './osmand.ts';
import { isTrackBackPressure, type Tracker } from './tracker.ts';

/** Maps a device id (a unit's `trackerId`) to the unit. */
export interface DeviceDirectory {
  unitOf(deviceId: string): Promise<number | undefined>;
}

/** A running OsmAnd endpoint. */
export interface OsmandServer {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;

/**
 * Serves the OsmAnd protocol that the Traccar Client app speaks: GET or
 * POST on any path, fixes in the query string, a form body or the JSON of
 * client 9+. Answers 200 when the fixes were taken (accepted or filtered:
 * a filtered fix is logged, and the app must not resend it), 400 for what
 * cannot be read, 404 for a device id no unit has.
 *
 * The protocol carries no credential but the device id, so the id works
 * as a shared secret: give each phone a long random `trackerId`, serve
 * this port only behind TLS, and keep it off the internet where you can.
 */
export async function startOsmandServer(options: {
  port: number;
  host: string;
  tracker: Tracker;
  devices: DeviceDirectory;
  log: {
    info(context: object, message: string): void;
    warn(context: object, message: string): void;
    error(context: object, message: string): void;
  };
}): Promise<OsmandServer> {
  const { tracker, devices, log } = options;
  const server = http.createServer((req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    };
    if (req.method !== 'GET' && req.method !== 'POST') {
      answer(405, 'expected GET or POST');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        answer(413, 'body too large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const url = req.url ?? '/';
      const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      const parsed = parseOsmand(
        query,
        Buffer.concat(chunks).toString('utf8'),
        req.headers['content-type'],
      );
      // TODO: a 400 makes Traccar Client keep the position and resend it,
      // so a position it can never make readable would block its queue.
      // Not seen with the app's own query format; answer 200 and log if
      // it ever is.
      if (!parsed.ok) {
        log.info({ reason: parsed.reason, source: 'osmand' }, 'fix refused');
        answer(400, parsed.reason);
        return;
      }
      void (async () => {
        for (const report of parsed.reports) {
          const unitId = await devices.unitOf(report.deviceId);
          if (unitId === undefined) {
            log.warn(
              { deviceId: report.deviceId, source: 'osmand' },
              'unknown device refused',
            );
            answer(404, 'unknown device');
            return;
          }
          await tracker.ingest(unitId, [report.fix], 'osmand');
        }
        answer(200, 'OK');
      })().catch((err: unknown) => {
        // Track back-pressure is said once by the writer, not per report;
        // a 503 makes Traccar Client keep the report and send it again.
        if (!isTrackBackPressure(err)) {
          log.error({ err, source: 'osmand' }, 'osmand report failed');
        }
        if (!res.headersSent) answer(503, 'try again');
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

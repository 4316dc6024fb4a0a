import {
  TrackBacklogFullError,
  TrackNotStoredError,
  isTrackBackPressure,
} from '@dispatch/unit-tracker';
import express, {
  type NextFunction,
  type Request,
  type Response,
} from 'express';

import { DispatchError, errorBody } from '../errors.ts';
import type { Health } from '../health-report.ts';
import type { Logger } from '../log.ts';
import { storageError } from '../storage/failures.ts';
import { serveConsole } from './console.ts';
import { OPENAPI_DOCUMENT } from './openapi.ts';
import { apiRoutes, type ApiContext } from './routes.ts';

export type { Health } from '../health-report.ts';

/** Builds the express app: security headers, JSON, `/api`, errors. */
export function createApp(
  ctx: ApiContext & {
    log: Logger;
    bodyLimitBytes: number;
    health: () => Promise<Health>;
    trustProxy: boolean;
    /** The built console (`console/dist`); absent before a build. */
    consoleDir: string;
  },
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.trustProxy);
  app.use((req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Content-Security-Policy':
        "default-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'",
    });
    if (req.path.startsWith('/api/')) res.set('Cache-Control', 'no-store');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Path only: query strings and bodies may hold personal data.
      ctx.log.debug(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });
  app.use((req, _res, next) => {
    const hasBody =
      req.headers['content-length'] !== undefined &&
      req.headers['content-length'] !== '0';
    if (
      (hasBody || req.headers['transfer-encoding']) &&
      !req.is('application/json')
    ) {
      throw new DispatchError('UNSUPPORTED_MEDIA_TYPE');
    }
    next();
  });
  app.use(express.json({ limit: ctx.bodyLimitBytes, strict: false }));

  app.get('/healthz', async (_req, res) => {
    const health = await ctx.health();
    res.status(health.storage.ok ? 200 : 503).json(health);
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });
  app.use('/api', apiRoutes(ctx));
  serveConsole(app, ctx.consoleDir, ctx.log);
  app.use((req) => {
    throw new DispatchError(
      'ROUTE_NOT_FOUND',
      `no route ${req.method} ${req.path}`,
    );
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toDispatchError(err);
    if (worthLogging(error)) {
      ctx.log.error(
        { err: error.cause ?? error, method: req.method, path: req.path },
        'request failed',
      );
    }
    res.status(error.status).set(error.headers).json(errorBody(error));
  });
  return app;
}

/**
 * Whether a failure answer deserves a log line: server-side failures do,
 * except the track's back-pressure (a full backlog, a write not done in
 * time), which the track writer reports once per outage rather than once
 * per refused request.
 */
export function worthLogging(error: DispatchError): boolean {
  return error.status >= 500 && !isTrackBackPressure(error.cause);
}

/** Any thrown value as a DispatchError with a catalogue code. */
export function toDispatchError(err: unknown): DispatchError {
  const mapped = storageError(err);
  if (mapped instanceof DispatchError) return mapped;
  if (err instanceof TrackBacklogFullError) {
    return new DispatchError(
      'STORAGE_UNAVAILABLE',
      'positions cannot be stored right now; nothing was taken, resend later',
      { cause: err },
    );
  }
  if (err instanceof TrackNotStoredError) {
    return new DispatchError(
      'STORAGE_UNAVAILABLE',
      'positions not stored yet; resend them later (a resent fix is stored once)',
      { cause: err },
    );
  }
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') {
    return new DispatchError('INVALID_JSON', undefined, { cause: err });
  }
  if (type === 'entity.too.large') {
    return new DispatchError('BODY_TOO_LARGE', undefined, { cause: err });
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // body-parser's other refusals (bad charset, aborted upload).
    return new DispatchError('VALIDATION_FAILED', String(err), { cause: err });
  }
  return new DispatchError('INTERNAL', undefined, { cause: err });
}

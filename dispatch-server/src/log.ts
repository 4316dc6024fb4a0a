import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Fields that never reach a log line, whatever code passes them: secrets
 * (passwords, tokens) and patients' personal data (caller phone,
 * complaint, address). Code should not log them in the first place; this
 * is the net under that rule.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'authorization',
  'callerPhone',
  'complaint',
  'address',
  '*.password',
  '*.token',
  '*.authorization',
  '*.callerPhone',
  '*.complaint',
  '*.address',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * The server's one logger. Level from `LOG_LEVEL` (default `info`;
 * `silent` in tests unless set).
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const level =
    options.level ??
    process.env.LOG_LEVEL ??
    (process.env.VITEST ? 'silent' : 'info');
  return pino(
    {
      level,
      base: { service: 'dispatch-server' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    options.destination,
  );
}

// Database drivers attach the failed statement and its parameters to
// their errors; the parameters are callers' phones and complaints.
const QUERY_FIELDS = new Set(['query', 'params', 'parameters', 'values']);

/**
 * pino's error serializer without the query text and parameters a database
 * error carries, along the whole `cause` chain.
 */
export function serializeError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error);
  const strip = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || depth > 5) return;
    for (const key of Object.keys(value)) {
      if (QUERY_FIELDS.has(key)) {
        delete (value as Record<string, unknown>)[key];
      } else {
        strip((value as Record<string, unknown>)[key], depth + 1);
      }
    }
  };
  strip(serialized, 0);
  return serialized;
}

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
    },
    options.destination,
  );
}

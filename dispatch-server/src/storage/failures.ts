import { DispatchError } from '../errors.ts';

// Error codes of a lost or refused database connection (SQLSTATE classes
// 08 and 57, and Node's socket errors). These become 503, not 500: the
// request was fine and nothing was stored.
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** Whether `err` means the database could not be reached. */
export function isStorageUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)) {
      return true;
    }
  }
  return /Connection terminated|timeout exceeded when trying to connect/i.test(
    err.message,
  );
}

/** `err` as a DispatchError when it is a storage outage, else itself. */
export function storageError(err: unknown): unknown {
  if (err instanceof DispatchError || !isStorageUnavailable(err)) return err;
  return new DispatchError('STORAGE_UNAVAILABLE', undefined, { cause: err });
}

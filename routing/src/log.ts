/**
 * The logging calls the routing package makes: a structured context object
 * first, a short constant message second. pino's logger fits as it is.
 */
export interface RoutingLogger {
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
}

/** Discards everything; for tests and callers without a logger. */
export const silentLogger: RoutingLogger = {
  info: () => {},
  warn: () => {},
};

/**
 * The routing package's error catalogue. Codes are stable: a retired code
 * is never reused. `status` is the HTTP status a server should answer with.
 */
export const ROUTING_ERRORS = {
  ROUTING_INVALID_COORDINATE: {
    status: 400,
    message: 'expected a latitude in [-90, 90] and a longitude in [-180, 180]',
  },
  ROUTING_NO_ORIGINS: {
    status: 400,
    message: 'expected at least one origin',
  },
  ROUTING_POINT_OFF_NETWORK: {
    status: 422,
    message: 'no routable road near the point',
  },
  ROUTING_INVALID_OPTION: {
    status: 400,
    message: 'invalid routing option',
  },
  ROUTING_GRAPH_INVALID: {
    status: 500,
    message: 'the road graph could not be built or loaded',
  },
  ROUTING_NOT_SUPPORTED: {
    status: 501,
    message: 'this routing engine does not offer that query',
  },
  ROUTING_UPSTREAM_FAILED: {
    status: 502,
    message: 'the routing server did not answer usefully',
  },
} as const;

export type RoutingErrorCode = keyof typeof ROUTING_ERRORS;

/** A routing failure with a stable code; the original failure as `cause`. */
export class RoutingError extends Error {
  readonly code: RoutingErrorCode;
  readonly status: number;

  /**
   * @param code a code of {@link ROUTING_ERRORS}
   * @param detail what exactly was wrong; the catalogue's text when absent
   */
  constructor(
    code: RoutingErrorCode,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ?? ROUTING_ERRORS[code].message, options);
    this.name = 'RoutingError';
    this.code = code;
    this.status = ROUTING_ERRORS[code].status;
  }
}

/**
 * What `GET /healthz` reports and the `health` socket event carries: this
 * process's view of its dependencies. Kept apart from the server code so
 * the console can share the type.
 */
export interface Health {
  /** `degraded` while the database, Redis or the routing server fails. */
  status: 'ok' | 'degraded';
  storage: { kind: 'postgres' | 'pglite'; ok: boolean };
  /**
   * Live state and the link between processes. Not ok: positions are
   * kept in this process, events reach only its own sockets.
   */
  live: { kind: 'redis' | 'memory'; ok: boolean };
  /** Track fixes written, dropped and queued; the OsmAnd port. */
  tracker: {
    written: number;
    dropped: number;
    queued: number;
    osmandPort: number | null;
  };
  /**
   * `ok` false while OSRM fails: the embedded router answers instead
   * (flagged `fallbackReason`), and `coolingDown` while OSRM is skipped.
   */
  routing: {
    source: string;
    osrm: boolean;
    ok: boolean;
    failures: number;
    coolingDown: boolean;
  };
}

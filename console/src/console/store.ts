import type {
  ConsoleSnapshot,
  EtaUpdate,
  IncidentView,
  LivePosition,
  UnitView,
} from '../shared/types.ts';

/** What changed in a {@link ConsoleStore}, for the views to redraw. */
export type StoreChange =
  | { kind: 'snapshot' }
  | { kind: 'incident'; incident: IncidentView }
  | { kind: 'units'; units: UnitView[] }
  | { kind: 'eta'; update: EtaUpdate };

/** The last event of an incident's log: higher means newer. */
function lastSeq(incident: IncidentView): number {
  return incident.timeline.at(-1)?.seq ?? 0;
}

/**
 * The console's picture of incidents and units: a snapshot, then live
 * events. Each update is kept only when it is not older than what is
 * held (incidents by their last phase-log seq, units by `statusSince`,
 * positions by device time), so an event that crossed a snapshot on the
 * wire cannot move the picture back.
 */
export class ConsoleStore {
  readonly incidents = new Map<number, IncidentView>();
  readonly units = new Map<number, UnitView>();
  /** Live drive time of each assigned unit to its incident, by unit id. */
  readonly etas = new Map<number, EtaUpdate>();
  /** Server time minus device time, ms (from the last snapshot). */
  clockOffsetMs = 0;
  readonly #listeners = new Set<(change: StoreChange) => void>();

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Replaces everything with a snapshot.
   * @param deviceNowMs this device's time when the snapshot arrived
   */
  applySnapshot(snapshot: ConsoleSnapshot, deviceNowMs: number): void {
    this.incidents.clear();
    this.units.clear();
    this.etas.clear();
    for (const incident of snapshot.incidents) {
      this.incidents.set(incident.id, incident);
    }
    for (const unit of snapshot.units) this.units.set(unit.id, unit);
    this.clockOffsetMs = Date.parse(snapshot.serverTime) - deviceNowMs;
    this.#emit({ kind: 'snapshot' });
  }

  /** A created or changed incident; ignored when older than the one held. */
  upsertIncident(incident: IncidentView): void {
    const held = this.incidents.get(incident.id);
    if (held && lastSeq(held) > lastSeq(incident)) return;
    this.incidents.set(incident.id, incident);
    this.#emit({ kind: 'incident', incident });
  }

  /** A created or changed unit; ignored when older than the one held. */
  upsertUnit(unit: UnitView): void {
    const held = this.units.get(unit.id);
    if (held && Date.parse(held.statusSince) > Date.parse(unit.statusSince)) {
      return;
    }
    // A status event may carry an older position than a live batch gave.
    const lastPosition = newerFix(
      held?.lastPosition ?? null,
      unit.lastPosition,
    );
    const merged = { ...unit, lastPosition };
    this.units.set(unit.id, merged);
    this.#emit({ kind: 'units', units: [merged] });
  }

  /** A batch of live positions: moves units and clears their staleness. */
  applyPositions(positions: readonly LivePosition[]): void {
    const changed: UnitView[] = [];
    for (const position of positions) {
      const unit = this.units.get(position.unitId);
      if (!unit) continue;
      const fix = {
        lat: position.lat,
        lon: position.lon,
        at: position.at,
        speedMps: position.speedMps,
        headingDeg: position.headingDeg,
        accuracyMeters: position.accuracyMeters,
      };
      if (newerFix(unit.lastPosition, fix) !== fix) continue;
      const moved = { ...unit, lastPosition: fix, stale: false };
      this.units.set(unit.id, moved);
      changed.push(moved);
    }
    if (changed.length > 0) this.#emit({ kind: 'units', units: changed });
  }

  /** Units that went without a fix for the stale limit. */
  markStale(unitIds: readonly number[]): void {
    const changed: UnitView[] = [];
    for (const id of unitIds) {
      const unit = this.units.get(id);
      if (!unit || unit.stale) continue;
      const stale = { ...unit, stale: true };
      this.units.set(id, stale);
      changed.push(stale);
    }
    if (changed.length > 0) this.#emit({ kind: 'units', units: changed });
  }

  /**
   * A unit's live drive time (`unit:eta`); ignored when computed from an
   * older fix than the one held for the same incident.
   */
  applyEta(update: EtaUpdate): void {
    const held = this.etas.get(update.unitId);
    if (
      held &&
      held.incidentId === update.incidentId &&
      Date.parse(held.at) > Date.parse(update.at)
    ) {
      return;
    }
    this.etas.set(update.unitId, update);
    this.#emit({ kind: 'eta', update });
  }

  /**
   * The live drive time of a unit to `incidentId`, if one came since it
   * was assigned there.
   */
  etaOf(unitId: number, incidentId: number): EtaUpdate | undefined {
    const eta = this.etas.get(unitId);
    return eta?.incidentId === incidentId ? eta : undefined;
  }

  /** Open incidents, most urgent first, then oldest call first. */
  openIncidents(): IncidentView[] {
    return [...this.incidents.values()]
      .filter((incident) => incident.open)
      .sort(
        (a, b) =>
          a.priority - b.priority ||
          Date.parse(a.receivedAt) - Date.parse(b.receivedAt) ||
          a.id - b.id,
      );
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

function newerFix<T extends { at: string }>(
  held: T | null,
  incoming: T | null,
) {
  if (!held) return incoming;
  if (!incoming) return held;
  return Date.parse(incoming.at) >= Date.parse(held.at) ? incoming : held;
}

import type { Leg, LatLon, RoutingSource } from '@dispatch/routing';

/** What a unit is equipped for: advanced or basic life support. */
export const CAPABILITIES = ['ALS', 'BLS'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Incident priorities: 1 is the most urgent. */
export const PRIORITIES = [1, 2, 3] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * A response plan: for each priority, the capabilities that may be sent
 * and the seconds added to a unit's ETA when ranking it. A capability
 * missing from a priority's map is not sent to that priority. Ranking by
 * ETA plus penalty keeps the order total and explainable: with the
 * default, a BLS unit goes to a priority-1 call ahead of an ALS unit only
 * when it arrives more than 120 s sooner.
 */
export type ResponsePlan = Record<
  Priority,
  Partial<Record<Capability, number>>
>;

/** Default plan: ALS for priority 1, either for 2, BLS first for 3. */
export const DEFAULT_RESPONSE_PLAN: ResponsePlan = {
  1: { ALS: 0, BLS: 120 },
  2: { ALS: 0, BLS: 0 },
  3: { BLS: 0, ALS: 60 },
};

/** Where a unit's drive starts: its last fresh GPS fix, else its station. */
export interface UnitOrigin {
  kind: 'gps' | 'station';
  location: LatLon;
  /** Time of the GPS fix (kind `gps`), or of the last, stale fix. */
  fixAt?: Date;
}

/** A unit that could be sent, with its drive to the incident. */
export interface Candidate {
  unitId: number;
  callSign: string;
  capability: Capability;
  origin: UnitOrigin;
  leg: Leg;
}

/** One line of the ranked list a dispatcher sees. */
export interface Recommendation {
  rank: number;
  unitId: number;
  callSign: string;
  capability: Capability;
  reachable: boolean;
  /** Drive time by road, lights and sirens; null when unreachable. */
  etaSeconds: number | null;
  distanceMeters: number | null;
  /** ETA plus the response plan's capability penalty: the sort key. */
  rankingSeconds: number | null;
  origin: UnitOrigin['kind'];
  /** Which routing engine produced the ETA. */
  source: RoutingSource;
  fallbackReason?: string;
  /** Why the unit ranks where it does, in plain words. */
  reasons: string[];
}

/**
 * Ranks candidates for an incident of `priority` under `plan`: eligible,
 * reachable units by ETA plus capability penalty (ties by call sign);
 * then eligible units with no drive (never shown as zero seconds).
 * Units the plan does not send are left out.
 */
export function rankCandidates(
  candidates: readonly Candidate[],
  priority: Priority,
  plan: ResponsePlan,
  routing: { source: RoutingSource; fallbackReason?: string },
): Recommendation[] {
  const penalties = plan[priority];
  const lines: Omit<Recommendation, 'rank'>[] = [];
  for (const candidate of candidates) {
    const penalty = penalties[candidate.capability];
    if (penalty === undefined) continue;
    const reasons: string[] = [];
    if (candidate.origin.kind === 'gps') {
      reasons.push('from its last GPS fix');
    } else if (candidate.origin.fixAt) {
      reasons.push('GPS fix is stale; from its station');
    } else {
      reasons.push('no GPS fix; from its station');
    }
    if (penalty > 0) {
      reasons.push(
        `${candidate.capability} ranks as if ${penalty} s further ` +
          `(priority ${priority} response plan)`,
      );
    }
    const leg = candidate.leg;
    if (!leg.reachable) reasons.push(`no drive time: ${leg.reason}`);
    lines.push({
      unitId: candidate.unitId,
      callSign: candidate.callSign,
      capability: candidate.capability,
      reachable: leg.reachable,
      etaSeconds: leg.reachable ? leg.etaSeconds : null,
      distanceMeters: leg.reachable ? leg.distanceMeters : null,
      rankingSeconds: leg.reachable ? leg.etaSeconds + penalty : null,
      origin: candidate.origin.kind,
      source: routing.source,
      ...(routing.fallbackReason
        ? { fallbackReason: routing.fallbackReason }
        : {}),
      reasons,
    });
  }
  lines.sort((a, b) => {
    if (a.rankingSeconds === null || b.rankingSeconds === null) {
      if (a.rankingSeconds !== b.rankingSeconds) {
        return a.rankingSeconds === null ? 1 : -1;
      }
    } else if (a.rankingSeconds !== b.rankingSeconds) {
      return a.rankingSeconds - b.rankingSeconds;
    }
    return a.callSign.localeCompare(b.callSign);
  });
  return lines.map((line, index) => {
    if (index === 0 && line.reachable) {
      line.reasons.unshift('fastest to arrive under the response plan');
    }
    return { rank: index + 1, ...line };
  });
}

/**
 * Where a unit starts: its last fix when younger than `freshSeconds`
 * at `now`, else its station (the fix kept as `fixAt` to say it is stale).
 */
export function unitOrigin(
  station: LatLon,
  lastFix: { location: LatLon; at: Date } | undefined,
  now: Date,
  freshSeconds: number,
): UnitOrigin {
  if (!lastFix) return { kind: 'station', location: station };
  const ageSeconds = (now.getTime() - lastFix.at.getTime()) / 1000;
  if (ageSeconds <= freshSeconds) {
    return { kind: 'gps', location: lastFix.location, fixAt: lastFix.at };
  }
  return { kind: 'station', location: station, fixAt: lastFix.at };
}

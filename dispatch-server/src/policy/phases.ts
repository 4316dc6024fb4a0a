/**
 * Incident phases and unit statuses, and the rules that order them. Pure
 * functions: the live server and the simulator both call them.
 */

/** Incident phases in the order an incident normally goes through them. */
export const INCIDENT_PHASES = [
  'received',
  'dispatched',
  'acknowledged',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
  'closed',
  'cancelled',
] as const;

export type IncidentPhase = (typeof INCIDENT_PHASES)[number];

/** Unit statuses. `available` covers at station and moving free. */
export const UNIT_STATUSES = [
  'available',
  'dispatched',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
  'out_of_service',
] as const;

export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** Statuses of a unit working an incident, in their order. */
export const ASSIGNED_STATUSES = [
  'dispatched',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
] as const satisfies readonly UnitStatus[];

export type AssignedStatus = (typeof ASSIGNED_STATUSES)[number];

/** Whether `phase` ends the incident: nothing may follow it. */
export function isTerminalPhase(phase: IncidentPhase): boolean {
  return phase === 'closed' || phase === 'cancelled';
}

/** Whether a unit in `status` is working an incident. */
export function isAssignedStatus(status: UnitStatus): status is AssignedStatus {
  return (ASSIGNED_STATUSES as readonly string[]).includes(status);
}

const PHASE_RANK = new Map<IncidentPhase, number>(
  INCIDENT_PHASES.map((phase, rank) => [phase, rank]),
);

/** Position of a phase in {@link INCIDENT_PHASES}. */
export function phaseRank(phase: IncidentPhase): number {
  return PHASE_RANK.get(phase) as number;
}

/**
 * The incident's current phase from its events (in append order): the
 * furthest phase any unit has reached, or the terminal phase once closed
 * or cancelled. A second unit going en route after the first reached the
 * scene does not move the incident back.
 */
export function currentPhase(
  events: readonly { phase: IncidentPhase }[],
): IncidentPhase {
  let phase: IncidentPhase = 'received';
  for (const event of events) {
    if (isTerminalPhase(event.phase)) return event.phase;
    if (phaseRank(event.phase) > phaseRank(phase)) phase = event.phase;
  }
  return phase;
}

/** Why a status change was refused, or `undefined` when it is allowed. */
export type TransitionRefusal =
  'transition_invalid' | 'use_assignment' | 'not_assigned';

/**
 * Whether a unit may go from `from` to `to` by a status report (a crew's
 * button or a dispatcher's correction). Rules:
 * - `dispatched` comes only from an assignment, never from a report;
 * - while assigned, a unit moves forward along {@link ASSIGNED_STATUSES}
 *   (skipping is allowed: a crew that forgot "en route" can still report
 *   "on scene"), or back to `available` once on scene or later (cleared,
 *   no transport) or, for a dispatcher, at any point (the unit is freed);
 * - a free unit may go out of service and back;
 * - a free unit cannot report incident phases: it has no incident.
 */
export function checkTransition(
  from: UnitStatus,
  to: UnitStatus,
  by: 'crew' | 'dispatcher',
): TransitionRefusal | undefined {
  if (to === 'dispatched') return 'use_assignment';
  if (!isAssignedStatus(from)) {
    if (to === 'available' || to === 'out_of_service') {
      return from === to ? 'transition_invalid' : undefined;
    }
    return 'not_assigned';
  }
  if (to === 'out_of_service') return 'transition_invalid';
  if (to === 'available') {
    const cleared = ASSIGNED_STATUSES.indexOf(from) >= 2;
    return cleared || by === 'dispatcher' ? undefined : 'transition_invalid';
  }
  const fromIndex = ASSIGNED_STATUSES.indexOf(from);
  const toIndex = ASSIGNED_STATUSES.indexOf(to);
  return toIndex > fromIndex ? undefined : 'transition_invalid';
}

/** The incident phase a unit status stands for, if any. */
export function phaseOfStatus(status: UnitStatus): IncidentPhase | undefined {
  return isAssignedStatus(status) ? status : undefined;
}

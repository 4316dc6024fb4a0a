/**
 * The intervals of each simulated call, measured by the live server's
 * `incidentIntervals` over the call's phase events, so a simulated
 * response time means what the planner view's does.
 */
import {
  incidentIntervals,
  type IncidentIntervals,
  type IncidentPhase,
} from '@dispatch/server/policy';

import type { CallOutcome } from '../engine/state.ts';

/** Intervals of one call, seconds (null when the phase never came). */
export function intervalsOf(o: CallOutcome): IncidentIntervals {
  const events: { phase: IncidentPhase; at: Date }[] = [
    { phase: 'received', at: new Date(o.call.atSeconds * 1000) },
  ];
  if (o.dispatchedAt !== null)
    events.push({ phase: 'dispatched', at: new Date(o.dispatchedAt * 1000) });
  if (o.enRouteAt !== null)
    events.push({ phase: 'en_route', at: new Date(o.enRouteAt * 1000) });
  if (o.onSceneAt !== null)
    events.push({ phase: 'on_scene', at: new Date(o.onSceneAt * 1000) });
  return incidentIntervals(events);
}

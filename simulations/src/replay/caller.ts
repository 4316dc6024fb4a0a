import type { IncidentView } from '@dispatch/server';
import type { Recommendation } from '@dispatch/server/policy';

import type { SimCall } from '../demand.ts';
import { isAbort, type ReplayClock } from './clock.ts';
import { ApiError, type ApiClient } from './http.ts';
import { recordError, type ReplayStats } from './stats.ts';

/** What the simulated dispatcher needs. */
export interface CallerContext {
  /** Logged in as a dispatcher. */
  api: ApiClient;
  clock: ReplayClock;
  /** Units driven by a simulated tablet: only these are sent. */
  drivenUnits: ReadonlySet<number>;
  callProcessing: () => number;
  /** Simulated seconds between two tries when no unit is free. */
  retrySeconds: number;
  /** Simulated second of the run after which no more tries are made. */
  giveUpAt: number;
  stats: ReplayStats;
  /** Incidents created, in order. */
  incidentIds: number[];
  log: (line: string) => void;
  signal: AbortSignal;
}

/**
 * One call as a dispatcher handles it: the intake (POST /api/incidents),
 * the call-processing time, then the ranked units and an assignment of
 * the best free one (the next on a race); when none is free it waits and
 * asks again, as a dispatcher watching the queue would.
 */
export async function handleCall(
  ctx: CallerContext,
  call: SimCall,
): Promise<void> {
  const { api, stats, clock } = ctx;
  stats.callsPlaced += 1;
  let incident: IncidentView;
  try {
    incident = await api.json<IncidentView>('POST', '/api/incidents', {
      location: { lat: call.lat, lon: call.lon },
      priority: call.priority,
      // Synthetic: no patient data in a replay.
      complaint: `simulated call ${call.id}`,
    });
  } catch (err) {
    recordError(stats, `call ${call.id}: ${(err as Error).message}`);
    return;
  }
  stats.incidentsCreated += 1;
  ctx.incidentIds.push(incident.id);
  ctx.log(
    `call ${call.id} priority ${call.priority} -> incident ${incident.id}`,
  );
  let waited = false;
  try {
    await clock.sleep(ctx.callProcessing(), ctx.signal);
    while (clock.now() < ctx.giveUpAt) {
      const unit = await assignBest(ctx, incident.id);
      if (unit) {
        stats.assigned += 1;
        ctx.log(
          `incident ${incident.id}: ${unit.callSign} assigned, eta ${Math.round(unit.etaSeconds ?? 0)} s`,
        );
        return;
      }
      if (!waited) {
        waited = true;
        stats.waitedForUnit += 1;
        ctx.log(`incident ${incident.id}: no unit free, waiting`);
      }
      await clock.sleep(ctx.retrySeconds, ctx.signal);
    }
  } catch (err) {
    if (!isAbort(err)) {
      recordError(stats, `incident ${incident.id}: ${(err as Error).message}`);
    }
  }
  stats.neverAssigned += 1;
}

async function assignBest(
  ctx: CallerContext,
  incidentId: number,
): Promise<Recommendation | undefined> {
  const ranked = await ctx.api.json<Recommendation[]>(
    'GET',
    `/api/incidents/${incidentId}/recommendations`,
  );
  for (const unit of ranked) {
    if (!unit.reachable || !ctx.drivenUnits.has(unit.unitId)) continue;
    try {
      await ctx.api.json('POST', `/api/incidents/${incidentId}/assign`, {
        unitId: unit.unitId,
      });
      return unit;
    } catch (err) {
      // Another dispatcher (or call) took it between ranking and assigning.
      if (err instanceof ApiError && err.code === 'UNIT_NOT_AVAILABLE')
        continue;
      throw err;
    }
  }
  return undefined;
}

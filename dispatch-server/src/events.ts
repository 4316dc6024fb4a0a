import { EventEmitter } from 'node:events';

import type { IncidentView, PhaseEventView } from './incidents/views.ts';
import type { EtaUpdate, LivePosition } from '@dispatch/unit-tracker';

import type { UnitView } from './units/views.ts';

/**
 * What happened, told after the change has committed. The realtime layer
 * listens and fans out to consoles and tablets; nothing here is a source
 * of truth (a reconnecting client reloads a snapshot).
 */
export interface DomainEvents {
  'incident:created': [incident: IncidentView];
  'incident:phase': [incident: IncidentView, event: PhaseEventView];
  'unit:created': [unit: UnitView];
  'unit:status': [unit: UnitView];
  /**
   * A status change committed by another server process (through the
   * socket.io adapter), for in-process listeners such as the tracker.
   * Never fanned out to sockets: the other process already reached them.
   */
  'unit:status:peer': [unit: UnitView];
  /** Merged batch of latest positions (at most one per unit). */
  'unit:positions': [positions: LivePosition[]];
  'unit:eta': [update: EtaUpdate];
  /** Units that have just gone without a fix for the stale limit. */
  'unit:stale': [unitIds: number[]];
  /** GPS arrival offered to the crew to confirm (ARRIVAL_MODE=offer). */
  'unit:arrival': [
    offer: { unitId: number; phase: 'on_scene' | 'at_hospital'; at: string },
  ];
  'unit:assigned': [unit: UnitView, incident: IncidentView];
  'unit:released': [unit: UnitView, incidentId: number, reason: string];
  'token:revoked': [tokenHashes: string[]];
}

/**
 * The in-process bus of {@link DomainEvents}. Each event is emitted once,
 * by the process where the change committed; with `REDIS_URL` the
 * socket.io Redis Streams adapter carries the sockets' share of it to
 * every process (realtime/cluster.ts), so it is never re-broadcast here.
 */
export class DomainBus extends EventEmitter<DomainEvents> {}

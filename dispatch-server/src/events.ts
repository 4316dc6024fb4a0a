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
 * The in-process bus of {@link DomainEvents}.
 *
 * TODO(issue 7): events reach only this process's sockets. With several
 * server processes behind one address, consoles on the others miss them
 * until their next snapshot; the socket.io Redis Streams adapter fixes it.
 */
export class DomainBus extends EventEmitter<DomainEvents> {}

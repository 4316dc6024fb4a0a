import { EventEmitter } from 'node:events';

import type { IncidentView, PhaseEventView } from './incidents/views.ts';
import type { PositionView, UnitView } from './units/views.ts';

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
  'unit:position': [position: PositionView];
  'unit:assigned': [unit: UnitView, incident: IncidentView];
  'unit:released': [unit: UnitView, incidentId: number, reason: string];
  'token:revoked': [tokenHashes: string[]];
}

/** The in-process bus of {@link DomainEvents}. */
export class DomainBus extends EventEmitter<DomainEvents> {}

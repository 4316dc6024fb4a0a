/**
 * The dispatch server: start it with {@link startServer} and a
 * {@link readConfig} configuration.
 */
export * from './server.ts';
export * from './config.ts';
export * from './errors.ts';
export type * from './realtime/contract.ts';
export type { IncidentView, PhaseEventView } from './incidents/views.ts';
export type { UnitView, PositionFix, PositionView } from './units/views.ts';

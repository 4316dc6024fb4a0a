/**
 * The dispatch decisions as pure functions: phase rules, interval
 * arithmetic, unit ranking. The server and the simulator both call these,
 * so the policy that wins in simulation is the policy that runs live.
 */
export * from './phases.ts';
export * from './intervals.ts';
export * from './ranking.ts';

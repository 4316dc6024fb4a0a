/** Imports of real CAD exports, reported as the planner view reports. */
export * from './errors.ts';
export * from './mapping.ts';
export * from './csv.ts';
export * from './zip.ts';
export * from './times.ts';
export * from './read.ts';
export * from './report.ts';
export * from './load.ts';
export * from './cli.ts';

/** Live replay: simulated callers and tablets against a running server. */
export * from './errors.ts';
export * from './args.ts';
export * from './clock.ts';
export * from './http.ts';
export * from './drive.ts';
export * from './stats.ts';
export * from './tablet.ts';
export * from './shifts.ts';
export * from './consoles.ts';
export * from './caller.ts';
export * from './replay.ts';

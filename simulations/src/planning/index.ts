/** Station planning: where to base k ambulances (MEXCLP on drive times). */
export * from './errors.ts';
export * from './mexclp.ts';
export * from './population.ts';
export * from './coverage.ts';
export * from './plan.ts';
export * from './cli.ts';

import { parseArgs } from 'node:util';

import { PlanningError } from './errors.ts';

/** Parsed `npm run plan:stations` arguments. */
export interface PlanArgs {
  k: number;
  busyFraction: number;
  targetSeconds: number;
  maxPerSite: number;
  /** City id or folder; undefined means CITY or the demo city. */
  city: string | undefined;
  /** Where to write the plan as JSON; undefined prints a summary only. */
  out: string | undefined;
}

export const PLAN_USAGE =
  'usage: npm run plan:stations -- --k <ambulances> [--busy <q in [0,1)>] ' +
  '[--target <seconds, default 180>] [--max-per-site <n, default 1>] ' +
  '[--city <id or folder>] [--out <file.json>]';

/**
 * Reads the command line of `plan:stations`.
 * @throws PlanningError `PLAN_INVALID_ARGUMENT` naming the argument and
 *   what was expected (unknown options included)
 */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        k: { type: 'string' },
        busy: { type: 'string' },
        target: { type: 'string' },
        'max-per-site': { type: 'string' },
        city: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `${(err as Error).message}\n${PLAN_USAGE}`,
      { cause: err },
    );
  }
  if (values.k === undefined) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `--k is required: how many ambulances to place\n${PLAN_USAGE}`,
    );
  }
  return {
    k: wholeNumber('--k', values.k),
    busyFraction: busy(values.busy),
    targetSeconds: positive('--target', values.target ?? '180'),
    maxPerSite: wholeNumber('--max-per-site', values['max-per-site'] ?? '1'),
    city: values.city,
    out: values.out,
  };
}

function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(value) || value < 1) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `${name}: expected a whole number >= 1, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `${name}: expected a positive number, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function busy(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value >= 1
  ) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `--busy: expected the busy fraction q in [0, 1), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

import { invalidArgument, numberArg, parseFlags } from '../cli/args.ts';
import { PlanningError } from './errors.ts';

const invalid = invalidArgument(PlanningError, 'PLAN_INVALID_ARGUMENT');

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
  const values = parseFlags(
    argv,
    ['k', 'busy', 'target', 'max-per-site', 'city', 'out'],
    PLAN_USAGE,
    invalid,
  );
  if (values.k === undefined) {
    throw invalid(
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
  return numberArg(
    name,
    text,
    'a whole number >= 1',
    (value) => /^\d+$/.test(text.trim()) && value >= 1,
    invalid,
  );
}

function positive(name: string, text: string): number {
  return numberArg(name, text, 'a positive number', (v) => v > 0, invalid);
}

function busy(text: string | undefined): number {
  if (text === undefined) return 0;
  return numberArg(
    '--busy',
    text,
    'the busy fraction q in [0, 1)',
    (value) => value >= 0 && value < 1,
    invalid,
  );
}

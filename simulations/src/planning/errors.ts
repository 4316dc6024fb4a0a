import { InputError } from '../cli/args.ts';

/** Stable codes of the planning tools' input errors. */
export type PlanningErrorCode =
  /** An argument is missing, of the wrong type or out of range. */
  | 'PLAN_INVALID_ARGUMENT'
  /** The city pack lacks what planning needs (population, stations). */
  | 'PLAN_CITY_INCOMPLETE'
  /** The population file cannot be read or a row is malformed. */
  | 'PLAN_POPULATION_INVALID';

/**
 * Invalid input to station planning: the message names the argument or
 * file at fault and what was expected. The command line prints it and
 * exits with status 2; it never means a bug.
 */
export class PlanningError extends InputError<PlanningErrorCode> {
  override readonly name = 'PlanningError';
}

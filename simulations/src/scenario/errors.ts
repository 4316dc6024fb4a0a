/**
 * A scenario that cannot run: `field` is the path of the bad field
 * (`fleet.units[3].capability`), the message says what was expected.
 */
export class ScenarioError extends Error {
  readonly code = 'SCENARIO_INVALID';
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'ScenarioError';
    this.field = field;
  }
}

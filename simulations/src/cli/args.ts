/**
 * What the simulations' commands share on their command lines: an input
 * error with a stable code (the base of ImportError, PlanningError and
 * ReplayError), `--name value` flags, numbers checked against a range,
 * and the exit status 2 with `<command>: <message>` for input errors.
 */
import { parseArgs } from 'node:util';

/**
 * Input a command cannot use (an argument, a file, a server's answer):
 * `code` is stable for tools, the message says what was expected. A
 * command prints it and exits with status 2; it never means a bug.
 */
export class InputError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Makes a command's own error for a bad argument, with its cause if any. */
export type Invalid = (message: string, cause?: unknown) => Error;

/** The {@link Invalid} of a command: its error class and code. */
export function invalidArgument<Code extends string>(
  ErrorClass: new (
    code: Code,
    message: string,
    options?: ErrorOptions,
  ) => Error,
  code: Code,
): Invalid {
  return (message, cause) =>
    new ErrorClass(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Reads `--name value` flags: values are strings, an unknown flag or a
 * positional argument is refused with Node's message and `usage`.
 */
export function parseFlags<const Name extends string>(
  argv: readonly string[],
  names: readonly Name[],
  usage: string,
  invalid: Invalid,
): Partial<Record<Name, string>> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        names.map((name) => [name, { type: 'string' as const }]),
      ),
      strict: true,
      allowPositionals: false,
    });
    return values as Partial<Record<Name, string>>;
  } catch (err) {
    throw invalid(`${(err as Error).message}\n${usage}`, err);
  }
}

/**
 * `text` as a number when it is one and `accept` takes it, else
 * `<name>: expected <expected>, got "<text>"`.
 */
export function numberArg(
  name: string,
  text: string,
  expected: string,
  accept: (value: number, text: string) => boolean,
  invalid: Invalid,
): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !accept(value, text)) {
    throw invalid(`${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Runs a command's body; an error of one of `inputErrors` is printed as
 * `<command>: <message>` and exits with status 2, anything else is a bug
 * and thrown on (exit 1 with its stack).
 */
export async function runCommand(
  command: string,
  inputErrors: readonly (abstract new (...args: never[]) => Error)[],
  body: () => void | Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (inputErrors.some((ErrorClass) => err instanceof ErrorClass)) {
      console.error(`${command}: ${(err as Error).message}`);
      process.exit(2);
    }
    throw err;
  }
}

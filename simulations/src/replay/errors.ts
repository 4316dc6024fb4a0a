import { InputError } from '../cli/args.ts';

/** Stable codes of the replay's failures. */
export type ReplayErrorCode =
  /** A command-line argument is missing, unknown or out of range. */
  | 'REPLAY_INVALID_ARGUMENT'
  /** The server cannot be reached or answered something unexpected. */
  | 'REPLAY_SERVER_UNAVAILABLE'
  /** The server refused a login or a request the replay needs. */
  | 'REPLAY_SERVER_REFUSED';

/** Why a replay cannot start (or go on); the message says what to do. */
export class ReplayError extends InputError<ReplayErrorCode> {
  override readonly name = 'ReplayError';
}

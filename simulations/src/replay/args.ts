import path from 'node:path';

import { invalidArgument, numberArg, parseFlags } from '../cli/args.ts';
import { REPO_ROOT } from '../import/load.ts';
import { ReplayError } from './errors.ts';

const invalid = invalidArgument(ReplayError, 'REPLAY_INVALID_ARGUMENT');

/** Settings of a replay run. */
export interface ReplayOptions {
  /** Base URL of the dispatch server. */
  url: string;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated minutes of calls. */
  minutes: number;
  /** Simulated local time of day the calls start at, seconds. */
  startSeconds: number;
  /** Scenario file: demand, times and city. */
  scenario: string;
  seed: string;
  /** Multiplies the scenario's calls per hour (a busier day, more load). */
  demandFactor: number;
  /**
   * After the last call, wait at most this many simulated minutes for the
   * incidents to close.
   */
  drainMinutes: number;
  /** Simulated seconds between two GPS fixes of a moving unit. */
  gpsSeconds: number;
  /** `/console` socket connections opened as the dispatcher (0: none). */
  consoles: number;
  dispatcherUser: string;
  dispatcherPassword: string;
  /** Password of the crew accounts `crew-<call sign>`. */
  crewPassword: string;
}

export const DEFAULT_SCENARIO = path.join(
  REPO_ROOT,
  'simulations/scenarios/porto-alegre.json',
);

export const REPLAY_USAGE =
  'usage: npm run replay -- [--url http://127.0.0.1:3000] [--speed 10] ' +
  '[--minutes 60] [--start 14:00] [--scenario file] [--seed s] [--demand factor] ' +
  '[--drain-minutes 90] [--gps-seconds 5] [--consoles 1]\n' +
  'passwords: REPLAY_DISPATCHER_USER (dispatcher), REPLAY_DISPATCHER_PASSWORD ' +
  '(dispatcher-demo), REPLAY_CREW_PASSWORD (crew-demo-pass): the demo accounts';

/**
 * Reads the replay's command line; passwords come from the environment
 * (never the command line, which other users of the machine can see) and
 * default to the demo accounts'.
 * @throws ReplayError `REPLAY_INVALID_ARGUMENT` naming the argument
 */
export function parseReplayArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ReplayOptions {
  const values = parseFlags(
    argv,
    [
      'url',
      'speed',
      'minutes',
      'start',
      'scenario',
      'seed',
      'demand',
      'drain-minutes',
      'gps-seconds',
      'consoles',
    ],
    REPLAY_USAGE,
    invalid,
  );
  const url = values.url ?? 'http://127.0.0.1:3000';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw invalid(
      `--url: expected http(s)://host:port, got ${JSON.stringify(url)}`,
      err,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(
      `--url: expected http(s)://host:port, got ${JSON.stringify(url)}`,
    );
  }
  return {
    url: parsed.origin,
    speed: number('--speed', values.speed ?? '10', 0.1, 1000),
    minutes: number('--minutes', values.minutes ?? '60', 0.1, 7 * 24 * 60),
    startSeconds: timeOfDay(values.start ?? '14:00'),
    scenario: values.scenario ?? DEFAULT_SCENARIO,
    seed: values.seed ?? '1',
    demandFactor: number('--demand', values.demand ?? '1', 0.01, 1000),
    drainMinutes: number(
      '--drain-minutes',
      values['drain-minutes'] ?? '90',
      0,
      24 * 60,
    ),
    gpsSeconds: number('--gps-seconds', values['gps-seconds'] ?? '5', 1, 120),
    consoles: integer('--consoles', values.consoles ?? '1', 0, 1000),
    dispatcherUser: env.REPLAY_DISPATCHER_USER || 'dispatcher',
    dispatcherPassword: env.REPLAY_DISPATCHER_PASSWORD || 'dispatcher-demo',
    crewPassword: env.REPLAY_CREW_PASSWORD || 'crew-demo-pass',
  };
}

function number(name: string, text: string, min: number, max: number): number {
  return numberArg(
    name,
    text,
    `a number from ${min} to ${max}`,
    (value) => value >= min && value <= max,
    invalid,
  );
}

function integer(name: string, text: string, min: number, max: number) {
  return numberArg(
    name,
    text,
    `a whole number from ${min} to ${max}`,
    (value) => Number.isInteger(value) && value >= min && value <= max,
    invalid,
  );
}

function timeOfDay(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    throw invalid(
      `--start: expected a time of day HH:MM, got ${JSON.stringify(text)}`,
    );
  }
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

/**
 * `npm run replay -- [--url http://127.0.0.1:3000] [--speed 10]
 * [--minutes 60] [--start 14:00] [--scenario file] [--seed s]
 * [--consoles 1]`: drives a running dispatch server as simulated callers,
 * crew tablets (on the scenario's shifts) and dispatcher consoles at an
 * accelerated clock (the demo, and a load generator). Prints what it
 * does, then a summary; the last line is one JSON object. Exit status 2
 * on bad arguments or a server it cannot use.
 */
import { runCommand } from '../src/cli/args.ts';
import { ScenarioError } from '../src/scenario/errors.ts';
import {
  parseReplayArgs,
  ReplayError,
  runReplay,
} from '../src/replay/index.ts';

await runCommand('replay', [ReplayError, ScenarioError], async () => {
  const options = parseReplayArgs(process.argv.slice(2));
  // Ctrl-C ends the run early but still prints its summary; twice quits.
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    console.log('stopping: reading the outcome back (Ctrl-C again to quit)');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const summary = await runReplay(options, { signal: interrupt.signal });
  console.log(JSON.stringify(summary));
  process.exit(0);
});

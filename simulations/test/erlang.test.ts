/**
 * The engine against queueing theory. With no travel, no turnout, no
 * call processing, no transport and exponential on-scene times, a fleet
 * of c units at one station is an M/M/c queue: the share of calls that
 * find every unit busy is Erlang C, and with calls that find all busy
 * lost (M/M/c/c) it is Erlang B. Each run is long; its confidence
 * interval comes from batch means (calls are correlated in time, so the
 * plain binomial interval would be too narrow).
 */
import { describe, expect, it } from 'vitest';

import { parseScenario } from '../src/index.ts';
import { runScenario, type RunResult } from '../src/run.ts';

/** Erlang B by the stable recurrence B(k) = a B(k-1) / (k + a B(k-1)). */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C from Erlang B: C = c B / (c - a (1 - B)). */
function erlangC(c: number, a: number): number {
  const b = erlangB(c, a);
  return (c * b) / (c - a * (1 - b));
}

function queueingScenario(
  units: number,
  callsPerHour: number,
  meanServiceSeconds: number,
  whenAllBusy: 'queue' | 'lost',
) {
  return parseScenario({
    name: `M/M/${units}`,
    city: 'porto-alegre',
    fleet: {
      units: Array.from({ length: units }, (_, i) => ({
        callSign: `U${String(i + 1).padStart(2, '0')}`,
        capability: 'ALS',
        station: 'poa-base-centro',
      })),
    },
    demand: {
      callsPerHour: new Array(24).fill(callsPerHour),
      priorityMix: { 1: 1, 2: 1, 3: 1 },
    },
    times: {
      callProcessing: { distribution: 'fixed', seconds: 0 },
      turnout: { distribution: 'fixed', seconds: 0 },
      onScene: { distribution: 'exponential', meanSeconds: meanServiceSeconds },
      transportProbability: 0,
      handover: { distribution: 'fixed', seconds: 0 },
    },
    travel: { model: 'none' },
    policy: { whenAllBusy },
  });
}

/** t quantile 0.995 for 39 degrees of freedom (40 batches): a 99% interval. */
const T_995_39 = 2.7079;

/**
 * Share of calls that found no unit free, with a 99% batch-means
 * interval: the first day is dropped (the fleet starts idle), the rest
 * cut into 40 batches of equal time.
 */
function allBusyShare(run: RunResult): { mean: number; half: number } {
  const batches = 40;
  const start = 86_400;
  const length = (run.days * 86_400 - start) / batches;
  const busy = new Array<number>(batches).fill(0);
  const count = new Array<number>(batches).fill(0);
  for (const o of run.outcomes) {
    if (o.call.atSeconds < start) continue;
    const b = Math.min(
      batches - 1,
      Math.floor((o.call.atSeconds - start) / length),
    );
    count[b]!++;
    if (o.allBusy) busy[b]!++;
  }
  const shares = busy.map((n, b) => n / count[b]!);
  const mean = shares.reduce((s, x) => s + x, 0) / batches;
  const variance =
    shares.reduce((s, x) => s + (x - mean) ** 2, 0) / (batches - 1);
  return { mean, half: T_995_39 * Math.sqrt(variance / batches) };
}

describe('queueing theory', () => {
  it('has the Erlang C share of calls waiting for a unit (M/M/5 at 80% load)', () => {
    // a = 24 calls/h x 600 s = 4 erlangs on 5 units.
    const run = runScenario(queueingScenario(5, 24, 600, 'queue'), {
      days: 400,
      seed: 11,
    });
    const theory = erlangC(5, 4);
    const { mean, half } = allBusyShare(run);
    console.log(
      `Erlang C M/M/5 a=4: theory ${theory.toFixed(4)}, simulated ${mean.toFixed(4)} ± ${half.toFixed(4)} (99%, ${run.calls.length} calls)`,
    );
    // Narrow enough to catch an engine that frees units late or early...
    expect(half).toBeLessThan(0.02);
    // ...and the theory inside the interval.
    expect(Math.abs(mean - theory)).toBeLessThan(half);
    // Every call was answered, none lost, and waiting calls waited.
    expect(run.outcomes.every((o) => o.onSceneAt !== null && !o.lost)).toBe(
      true,
    );
  });

  it('has the Erlang C share on a small, lightly loaded fleet (M/M/2 at 50%)', () => {
    const run = runScenario(queueingScenario(2, 6, 600, 'queue'), {
      days: 400,
      seed: 12,
    });
    const theory = erlangC(2, 1);
    const { mean, half } = allBusyShare(run);
    console.log(
      `Erlang C M/M/2 a=1: theory ${theory.toFixed(4)}, simulated ${mean.toFixed(4)} ± ${half.toFixed(4)} (99%, ${run.calls.length} calls)`,
    );
    expect(half).toBeLessThan(0.03);
    expect(Math.abs(mean - theory)).toBeLessThan(half);
  });

  it('has the Erlang B share of calls lost when all units are busy (M/M/5/5)', () => {
    const run = runScenario(queueingScenario(5, 24, 600, 'lost'), {
      days: 400,
      seed: 13,
    });
    const theory = erlangB(5, 4);
    const { mean, half } = allBusyShare(run);
    console.log(
      `Erlang B M/M/5/5 a=4: theory ${theory.toFixed(4)}, simulated ${mean.toFixed(4)} ± ${half.toFixed(4)} (99%, ${run.calls.length} calls)`,
    );
    expect(half).toBeLessThan(0.02);
    expect(Math.abs(mean - theory)).toBeLessThan(half);
    // In the loss setting, exactly the calls that found all busy are lost.
    expect(run.outcomes.every((o) => o.lost === o.allBusy)).toBe(true);
  });
});

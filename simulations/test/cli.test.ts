/**
 * npm run simulate end to end on the real Porto Alegre road network: the
 * files it writes, byte-identical output for a fixed seed, --compare, and
 * a clear refusal of a bad scenario.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(repo, 'simulations', 'bin', 'simulate.ts');
const scenarios = path.join(repo, 'simulations', 'scenarios');

function simulate(args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', cli, ...args],
    { cwd: repo, encoding: 'utf8', timeout: 120_000 },
  );
  return result;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
const read = (dir: string, file: string) =>
  fs.readFileSync(path.join(dir, file));

describe('npm run simulate', () => {
  it('runs the demo city by default and writes the same bytes twice for one seed', () => {
    const a = tmp();
    const b = tmp();
    const first = simulate(['--days', '2', '--seed', '42', '--out', a]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /Porto Alegre demo: closest by drive time: \d+ calls/,
    );
    expect(simulate(['--days', '2', '--seed', '42', '--out', b]).status).toBe(
      0,
    );
    for (const file of ['calls.csv', 'summary.json', 'report.html']) {
      expect(read(a, file).equals(read(b, file)), file).toBe(true);
    }
    const summary = JSON.parse(read(a, 'summary.json').toString());
    expect(summary.city).toBe('porto-alegre');
    expect(summary.travelModel).toBe('road');
    expect(summary.calls).toBeGreaterThan(200);
    expect(summary.withinTargetRatio).toBeGreaterThanOrEqual(0);
    expect(summary.withinTargetRatio).toBeLessThanOrEqual(1);
    expect(summary.allBusyFraction).toBeGreaterThanOrEqual(0);
    expect(summary.responseSeconds.p50).toBeGreaterThan(0);
    expect(summary.responseSeconds.p90).toBeGreaterThanOrEqual(
      summary.responseSeconds.p50,
    );
    expect(summary.byHourOfDay).toHaveLength(24);
    expect(Object.keys(summary.byPriority)).toEqual(['1', '2', '3']);
    const csv = read(a, 'calls.csv').toString().trimEnd().split('\n');
    expect(csv).toHaveLength(summary.calls + 1);
    expect(csv[0]).toMatch(/^callId,receivedSeconds,/);
    // Every answered call's response is its processing, turnout and travel.
    const header = csv[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    for (const line of csv.slice(1, 200)) {
      const f = line.split(',');
      if (f[col('responseSeconds')] === '') continue;
      const parts = [
        'callProcessingSeconds',
        'turnoutSeconds',
        'travelSeconds',
      ].map((n) => Number(f[col(n)]));
      expect(
        Math.abs(
          parts[0]! + parts[1]! + parts[2]! - Number(f[col('responseSeconds')]),
        ),
      ).toBeLessThan(0.2);
    }
    const html = read(a, 'report.html').toString();
    expect(html).toContain('<polygon');
    // Self-contained: nothing to fetch.
    expect(html).not.toMatch(
      /<script|<link|src=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
    );
    // Another seed gives other calls.
    const c = tmp();
    expect(simulate(['--days', '2', '--seed', '43', '--out', c]).status).toBe(
      0,
    );
    expect(read(a, 'calls.csv').equals(read(c, 'calls.csv'))).toBe(false);
  });

  it('puts two scenarios side by side with --compare, on the same calls', () => {
    const out = tmp();
    const result = simulate([
      '--scenario',
      path.join(scenarios, 'porto-alegre.json'),
      '--compare',
      path.join(scenarios, 'porto-alegre-straight-line.json'),
      '--days',
      '1',
      '--seed',
      '5',
      '--out',
      out,
    ]);
    expect(result.status).toBe(0);
    const a = JSON.parse(read(out, 'summary.json').toString());
    const b = JSON.parse(read(path.join(out, 'b'), 'summary.json').toString());
    expect(a.policy).toBe('closest-drive-time');
    expect(b.policy).toBe('closest-straight-line');
    expect(b.calls).toBe(a.calls);
    const html = read(out, 'report.html').toString();
    expect(html).toContain('Side by side');
    expect(html).toContain('closest by straight line');
  });

  it('refuses a bad scenario with the field at fault and exit code 2', () => {
    const dir = tmp();
    const file = path.join(dir, 'bad.json');
    const s = JSON.parse(
      fs.readFileSync(path.join(scenarios, 'porto-alegre.json'), 'utf8'),
    );
    s.times.onScene.medianSeconds = 'long';
    fs.writeFileSync(file, JSON.stringify(s));
    const result = simulate(['--scenario', file, '--out', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'scenario error: times.onScene.medianSeconds: expected a number',
    );
    expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(false);
    const days = simulate(['--days', 'zero', '--out', dir]);
    expect(days.status).toBe(2);
    expect(days.stderr).toContain('--days: expected a positive number');
  });
});

/** calls.csv: one line per simulated call, in call order. */
import type { RunResult } from '../run.ts';
import type { Measured } from './summary.ts';

const COLUMNS = [
  'callId',
  'receivedSeconds',
  'day',
  'localTime',
  'priority',
  'lat',
  'lon',
  'hexId',
  'district',
  'allBusy',
  'lost',
  'unit',
  'capability',
  'origin',
  'callProcessingSeconds',
  'turnoutSeconds',
  'travelSeconds',
  'responseSeconds',
  'withinTarget',
  'travelMeters',
  'transported',
  'hospital',
  'clearedSeconds',
] as const;

const fixed1 = (x: number | null) => (x === null ? '' : x.toFixed(1));

function clock(seconds: number): string {
  const s = Math.floor(seconds % 86_400);
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}`;
}

/** The per-call log of a run as CSV text (header first, LF line ends). */
export function callsCsv(
  run: RunResult,
  measured: readonly Measured[],
): string {
  const { outcomes, units, context, scenario } = run;
  const lines = [COLUMNS.join(',')];
  outcomes.forEach((o, i) => {
    const m = measured[i]!.intervals;
    const unit = o.unit >= 0 ? units[o.unit]! : undefined;
    const cell = context.grid.cells[o.call.cellIndex]!;
    lines.push(
      [
        o.call.id,
        o.call.atSeconds.toFixed(3),
        Math.floor(o.call.atSeconds / 86_400),
        clock(o.call.atSeconds),
        o.call.priority,
        o.call.lat.toFixed(6),
        o.call.lon.toFixed(6),
        o.call.hexId,
        cell.district,
        o.allBusy ? 1 : 0,
        o.lost ? 1 : 0,
        unit?.callSign ?? '',
        unit?.capability ?? '',
        o.origin ?? '',
        fixed1(m.callProcessing),
        fixed1(m.turnout),
        fixed1(m.travel),
        fixed1(m.response),
        m.response === null ? '' : m.response <= scenario.targetSeconds ? 1 : 0,
        o.travelMeters === null || !Number.isFinite(o.travelMeters)
          ? ''
          : Math.round(o.travelMeters),
        o.transported ? 1 : 0,
        o.hospital >= 0 ? context.city.hospitalList[o.hospital]!.id : '',
        fixed1(o.clearedAt),
      ].join(','),
    );
  });
  return lines.join('\n') + '\n';
}

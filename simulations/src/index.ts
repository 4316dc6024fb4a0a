/**
 * Planning tools: the discrete-event simulator, station planning, imports
 * of real CAD exports and the live replay. They use the dispatch server's
 * policy functions and the routing package's Router, so what wins here is
 * what runs live.
 */
export { generateCalls, type SimCall, type GenerateOptions } from './demand.ts';
export { loadScenario, parseScenario } from './scenario/validate.ts';
export { ScenarioError } from './scenario/errors.ts';
export type * from './scenario/types.ts';
export {
  loadHexgrid,
  hexagonOf,
  h3Parent,
  type Hexgrid,
  type HexCell,
} from './city/hexgrid.ts';
export { randomStream, type RandomStream } from './random.ts';
export { EventQueue } from './event-queue.ts';
export {
  prepareCity,
  runScenario,
  simulateCalls,
  type CityContext,
  type RunOptions,
  type RunResult,
} from './run.ts';
export type { CallOutcome, SimUnit } from './engine/state.ts';
export {
  measureRun,
  summarise,
  type Summary,
  type GroupSummary,
} from './results/summary.ts';
export { callsCsv } from './results/calls-csv.ts';
export { reportHtml, type ReportRun } from './results/report.ts';
export { reportRun, writeReport, writeRunFiles } from './results/write.ts';
export {
  planStations,
  solveMexclp,
  loadPopulationCells,
  PlanningError,
  type StationPlan,
} from './planning/index.ts';
export {
  importCalls,
  readExport,
  MAPPINGS,
  ImportError,
  type ExportMapping,
  type ImportReport,
} from './import/index.ts';
export {
  runReplay,
  parseReplayArgs,
  ReplayError,
  type ReplaySummary,
} from './replay/index.ts';

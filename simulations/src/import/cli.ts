import fs from 'node:fs';

import { invalidArgument, numberArg, parseFlags } from '../cli/args.ts';
import { ImportError } from './errors.ts';
import { mappingById } from './load.ts';
import type { ExportMapping } from './mapping.ts';

/** The error of a bad argument or mapping file. */
const invalid = invalidArgument(ImportError, 'IMPORT_INVALID_ARGUMENT');

/** Parsed `npm run import:calls` arguments. */
export interface ImportArgs {
  mapping: ExportMapping;
  /** The export; undefined means the mapping's bundled sample. */
  file: string | undefined;
  /** Folder to write `report.json` and `calls.csv` into. */
  out: string | undefined;
  targetSeconds: number;
}

export const IMPORT_USAGE =
  'usage: npm run import:calls -- --format lancaster-ne|san-francisco ' +
  '[--mapping mapping.json] [--file export.csv|.zip] [--out dir] [--target seconds]';

/**
 * Reads the command line of `import:calls`: a bundled `--format`, or a
 * `--mapping` JSON file of the same shape for another agency's export.
 * @throws ImportError `IMPORT_INVALID_ARGUMENT` naming the argument
 */
export function parseImportArgs(argv: readonly string[]): ImportArgs {
  const values = parseFlags(
    argv,
    ['format', 'mapping', 'file', 'out', 'target'],
    IMPORT_USAGE,
    invalid,
  );
  if ((values.format === undefined) === (values.mapping === undefined)) {
    throw invalid(`give one of --format or --mapping\n${IMPORT_USAGE}`);
  }
  const target = numberArg(
    '--target',
    values.target ?? '180',
    'a positive number of seconds',
    (value) => value > 0,
    invalid,
  );
  return {
    mapping:
      values.format !== undefined
        ? mappingById(values.format)
        : readMappingFile(values.mapping as string),
    file: values.file,
    out: values.out,
    targetSeconds: target,
  };
}

/**
 * A mapping from a JSON file, checked for the fields the reader needs.
 * @throws ImportError `IMPORT_INVALID_ARGUMENT` naming the missing field
 */
export function readMappingFile(file: string): ExportMapping {
  let mapping: ExportMapping;
  try {
    mapping = JSON.parse(fs.readFileSync(file, 'utf8')) as ExportMapping;
  } catch (err) {
    throw invalid(`--mapping: cannot read ${file} as JSON`, err);
  }
  const need = (ok: boolean, what: string) => {
    if (!ok) throw invalid(`--mapping ${file}: ${what}`);
  };
  need(typeof mapping === 'object' && mapping !== null, 'expected an object');
  need(typeof mapping.id === 'string', '"id": expected a string');
  need(typeof mapping.callId === 'string', '"callId": expected a column name');
  need(
    mapping.layout === 'call-per-row' || mapping.layout === 'unit-per-row',
    '"layout": expected "call-per-row" or "unit-per-row"',
  );
  need(
    typeof mapping.phases === 'object' && mapping.phases !== null,
    '"phases": expected { phase: column }',
  );
  need(
    mapping.time?.kind === 'datetime' || mapping.time?.kind === 'clock',
    '"time.kind": expected "datetime" or "clock"',
  );
  need(
    typeof mapping.timeZone === 'string',
    '"timeZone": expected an IANA zone',
  );
  try {
    new Intl.DateTimeFormat('en', { timeZone: mapping.timeZone });
  } catch {
    need(false, `"timeZone": unknown zone ${JSON.stringify(mapping.timeZone)}`);
  }
  const partial = mapping as Partial<ExportMapping>;
  return {
    ...mapping,
    description: partial.description ?? '',
    defaultFile: partial.defaultFile ?? '',
    nullValues: partial.nullValues ?? [],
    limitations: partial.limitations ?? [],
  };
}

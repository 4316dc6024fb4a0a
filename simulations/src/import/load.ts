import fs from 'node:fs';
import path from 'node:path';

import { BUNDLED_CITIES_DIR } from '@dispatch/routing';

import { ImportError } from './errors.ts';
import { MAPPINGS, type ExportMapping } from './mapping.ts';
import { readExport, type ImportResult } from './read.ts';
import { importReport, type ImportReport } from './report.ts';
import { readZip } from './zip.ts';

/** The repository root, against which mappings name their sample files. */
export const REPO_ROOT = path.resolve(BUNDLED_CITIES_DIR, '..');

/**
 * The CSV text of an export: the file itself, or the one `.csv` inside a
 * zip archive.
 * @throws ImportError `IMPORT_FILE_INVALID` when unreadable, or a zip
 *   without exactly one CSV
 */
export function readExportText(file: string): string {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new ImportError('IMPORT_FILE_INVALID', `cannot read ${file}`, {
      cause: err,
    });
  }
  if (!file.toLowerCase().endsWith('.zip')) return data.toString('utf8');
  const csvs = readZip(data, file).filter((e) =>
    e.name.toLowerCase().endsWith('.csv'),
  );
  if (csvs.length !== 1) {
    throw new ImportError(
      'IMPORT_FILE_INVALID',
      `${file}: expected one .csv inside, found ${csvs.length}`,
    );
  }
  return csvs[0]!.data.toString('utf8');
}

/** Looks up a bundled mapping by id. */
export function mappingById(id: string): ExportMapping {
  const mapping = MAPPINGS[id];
  if (!mapping) {
    throw new ImportError(
      'IMPORT_INVALID_ARGUMENT',
      `--format: unknown format ${JSON.stringify(id)}; known: ${Object.keys(MAPPINGS).join(', ')}`,
    );
  }
  return mapping;
}

/**
 * Reads an export through its mapping and reports it.
 * @param file default: the mapping's bundled sample
 */
export function importCalls(
  mapping: ExportMapping,
  file: string = path.resolve(REPO_ROOT, mapping.defaultFile),
  targetSeconds = 180,
): { result: ImportResult; report: ImportReport } {
  const result = readExport(readExportText(file), mapping);
  const shown = path.relative(REPO_ROOT, file).startsWith('..')
    ? file
    : path.relative(REPO_ROOT, file);
  return {
    result,
    report: importReport(result, mapping, shown, targetSeconds),
  };
}

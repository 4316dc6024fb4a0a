import { InputError } from '../cli/args.ts';

/** Stable codes of the import's input errors (whole-file failures). */
export type ImportErrorCode =
  /** An argument is missing, unknown or malformed. */
  | 'IMPORT_INVALID_ARGUMENT'
  /** The file cannot be read, is not a usable zip, or lacks a column. */
  | 'IMPORT_FILE_INVALID';

/**
 * A file or command line the import cannot use at all. A bad row is not
 * an error: it is skipped and counted with its reason.
 */
export class ImportError extends InputError<ImportErrorCode> {
  override readonly name = 'ImportError';
}

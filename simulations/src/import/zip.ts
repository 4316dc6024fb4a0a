import zlib from 'node:zlib';

import { ImportError } from './errors.ts';

/** One file of a zip archive, inflated. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/**
 * The files of a zip archive (stored or deflated entries), read with
 * node's zlib: sizes and offsets from the central directory, the data
 * after each local file header, inflated raw. Enough for the exports
 * agencies publish; not for zip64, encryption or multi-disk archives.
 * @throws ImportError `IMPORT_FILE_INVALID` naming what is unsupported
 */
export function readZip(archive: Buffer, source: string): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(archive);
  if (eocd < 0) {
    throw invalid(`${source}: not a zip archive (no end of central directory)`);
  }
  const count = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (archive.readUInt32LE(at) !== CENTRAL_FILE_HEADER) {
      throw invalid(`${source}: damaged central directory`);
    }
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localOffset = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw invalid(`${source}: ${name} is encrypted`);
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      throw invalid(`${source}: ${name} needs zip64, which is not supported`);
    }
    if (archive.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) {
      throw invalid(`${source}: damaged local header of ${name}`);
    }
    const start =
      localOffset +
      30 +
      archive.readUInt16LE(localOffset + 26) +
      archive.readUInt16LE(localOffset + 28);
    const raw = archive.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch (err) {
        throw invalid(`${source}: ${name} does not inflate`, err);
      }
    } else {
      throw invalid(
        `${source}: ${name} uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      );
    }
    if (data.length !== size) {
      throw invalid(`${source}: ${name} inflated to the wrong size`);
    }
    entries.push({ name, data });
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes.
  const last = archive.length - 22;
  for (let i = last; i >= 0 && i >= last - 65_535; i--) {
    if (archive.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) return i;
  }
  return -1;
}

function invalid(message: string, cause?: unknown): ImportError {
  return new ImportError(
    'IMPORT_FILE_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The input files a run reads (`--data`, `--test`, `--init`): read with an error that names
 * the flag, recorded in config.json by path, size and SHA-256, and checked on `--resume`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SqrtkError } from '../errors.js';

/** An input file as config.json records it. */
export interface FileRecord {
  path: string;
  bytes: number;
  sha256: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of `path` (given with `flag`) and their record; E_IO naming the flag if unreadable. */
export function readInputFile(
  flag: string,
  path: string,
): { bytes: Uint8Array; record: FileRecord } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : (cause as Error).message;
    throw new SqrtkError('E_IO', `${flag} (=${JSON.stringify(path)}) ${why}; check the path`, {
      cause,
    });
  }
  return { bytes, record: { path, bytes: bytes.length, sha256: sha256(bytes) } };
}

/** Refuses to continue a run whose input file is not the one it was started with. */
export function checkSameFile(before: FileRecord, now: FileRecord): void {
  if (before.sha256 === now.sha256) return;
  throw new SqrtkError(
    'E_DATA',
    `${now.path}: changed since the run started (SHA-256 ${before.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now); restore that file, or start a new run with --out`,
  );
}

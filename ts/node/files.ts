/**
 * Saved networks on disk (Node). Writes are atomic (temporary file, flush, rename), so a crash
 * leaves the previous file intact; reads check the whole file and name it in every error.
 */
import { readFileSync } from 'node:fs';
import { SqrtkError } from '../errors.js';
import { readSaved, SparseRNN } from '../model.js';
import { writeFileAtomic } from './atomic.js';

/** Writes `net` (and `extra`, any JSON value) to `path` atomically. */
export function saveNetworkFile(path: string, net: SparseRNN, extra: unknown = null): void {
  writeFileAtomic(path, net.save(extra));
}

/** Reads a network saved with `saveNetworkFile` or `net.save()`, with the `extra` stored beside it. */
export function loadNetworkFile(path: string): { net: SparseRNN; extra: unknown } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${path}: ${why}`, { cause });
  }
  try {
    const { extra } = readSaved(bytes);
    return { net: SparseRNN.load(bytes), extra };
  } catch (e) {
    if (e instanceof SqrtkError && e.code !== 'E_INTERNAL')
      throw new SqrtkError(e.code, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

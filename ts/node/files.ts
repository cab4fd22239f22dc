/**
 * Saved networks on disk (Node). Writes are atomic (temporary file, flush, rename), so a crash
 * leaves the previous file intact; reads check the whole file and name it in every error.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { SqrtkError } from '../errors.js';
import { loadChunks, type SparseRNN } from '../model.js';
import { writeFileAtomicWith } from './atomic.js';

/** Bytes read from a saved file at a time (files larger than memory allows whole are fine). */
const READ_CHUNK = 16 << 20;

/**
 * Writes `net` (and `extra`, any JSON value) to `path` atomically, a chunk at a time: no copy
 * of the whole file is ever made, in WebAssembly memory or outside it.
 */
export function saveNetworkFile(path: string, net: SparseRNN, extra: unknown = null): void {
  writeFileAtomicWith(path, (write) => net.saveTo(write, extra));
}

/** The chunks of a file, read in order into one reused buffer. */
function* fileChunks(fd: number, size: number): Iterable<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  for (;;) {
    const read = readSync(fd, buffer, 0, size, null);
    if (read === 0) return;
    yield buffer.subarray(0, read);
  }
}

/**
 * Reads a network saved with `saveNetworkFile` or `net.save()`, with the `extra` stored beside
 * it, a chunk at a time (so files over 2 GiB, which Node cannot read whole, load too).
 */
export function loadNetworkFile(
  path: string,
  chunkSize = READ_CHUNK,
): { net: SparseRNN; extra: unknown } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${path}: ${why}`, { cause });
  }
  try {
    return loadChunks(fileChunks(fd, chunkSize));
  } catch (e) {
    if (e instanceof SqrtkError && e.code !== 'E_INTERNAL')
      throw new SqrtkError(e.code, `${path}: ${e.message}`, { cause: e });
    if ((e as NodeJS.ErrnoException).code)
      throw new SqrtkError('E_IO', `${path}: cannot be read (${(e as Error).message})`, {
        cause: e,
      });
    throw e;
  } finally {
    closeSync(fd);
  }
}

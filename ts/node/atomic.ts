/**
 * Atomic file writes (Node). A write goes to a temporary file beside the target; only when every
 * byte is written and flushed to disk is it renamed over the target, and the directory is flushed
 * too, so the rename survives a power cut. Any failure (a full disk, a short write, a kill) leaves
 * the previous file untouched and removes the temporary file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqrtkError } from '../errors.js';

/** The temporary name a write to `path` uses (a crashed writer may leave it behind). */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Whether `name` is a temporary file left by {@link writeFileAtomic}. */
export function isTemporaryName(name: string): boolean {
  return /\.tmp-\d+$/.test(name);
}

/**
 * Writes `data` to `path` so that a crash or failure leaves either the old file or the new one.
 * Throws an E_IO error naming the file and the cause (for a full disk: "the disk is full").
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  writeFileAtomicWith(path, (write) => write(bytes));
}

/**
 * {@link writeFileAtomic} for data made a chunk at a time: `produce` calls `write` with each
 * chunk in order (written at once, so a chunk may be a view that is reused afterwards). If
 * `produce` throws, or a write fails, the previous file stays and the error is thrown.
 */
export function writeFileAtomicWith(
  path: string,
  produce: (write: (chunk: Uint8Array) => void) => void,
): void {
  const temporary = temporaryPath(path);
  try {
    const fd = openSync(temporary, 'w');
    try {
      produce((chunk) => writeAll(fd, chunk));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (cause) {
    rmSync(temporary, { force: true });
    throw writeError(path, cause);
  }
  syncDirectory(dirname(path));
}

/** Writes every byte, looping over short writes; a write that makes no progress is an error. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) {
    const written = writeSync(fd, bytes, at, bytes.length - at);
    if (written <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
    at += written;
  }
}

/** Flushes a directory entry (the rename) to disk; where directories cannot be opened, skips. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full; free some space',
  EDQUOT: 'the disk quota is exhausted; free some space',
  EACCES: 'permission denied; choose a directory you can write',
  EPERM: 'permission denied; choose a directory you can write',
  EROFS: 'the file system is read-only; choose another directory',
  ENOENT: 'its directory does not exist; create it or choose another path',
  ENOTDIR: 'a part of the path is not a directory; choose another path',
  EISDIR: 'it is a directory; choose a file name',
  EEXIST: 'a file of that name is in the way; move it or choose another path',
};

/** An E_IO error for a failed write of `path`, with the cause said plainly. */
export function writeError(path: string, cause: unknown): SqrtkError {
  if (cause instanceof SqrtkError) return cause;
  const code = (cause as NodeJS.ErrnoException)?.code ?? '';
  const said = CAUSES[code] ?? (cause as Error)?.message ?? String(cause);
  return new SqrtkError('E_IO', `${path}: cannot be written: ${said}`, { cause });
}

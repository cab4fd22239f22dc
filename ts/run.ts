/**
 * A training run on disk (Node): config.json (fully resolved), metrics.jsonl (one line per
 * epoch) and summary.json. Files are written atomically: temporary file, flush, rename.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SqrtkError } from './errors.js';

/** Writes `text` to `path` so that a crash leaves either the old file or the new one. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, typeof text === 'string' ? Buffer.from(text) : text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export class RunDirectory {
  readonly path: string;
  #metrics: string[] = [];

  /**
   * Creates (or reuses) the directory; fails early with a clear error if it cannot be written.
   * `metrics` are the records already there (when a run resumes).
   */
  constructor(path: string, metrics: object[] = []) {
    this.path = path;
    this.#metrics = metrics.map((m) => JSON.stringify(m));
    try {
      mkdirSync(path, { recursive: true });
      // Temporary files of writes that a crash interrupted; the files they were replacing are intact.
      for (const name of readdirSync(path))
        if (/\.tmp-\d+$/.test(name)) rmSync(join(path, name), { force: true });
      writeFileAtomic(join(path, '.write-test'), '');
    } catch (cause) {
      throw new SqrtkError(
        'E_IO',
        `out (=${JSON.stringify(path)}) cannot be written: ${(cause as Error).message}; choose another --out directory`,
        { cause },
      );
    }
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.path, name), JSON.stringify(value, null, 2) + '\n');
  }

  /** Appends one metrics record (the whole file is rewritten atomically; it stays small). */
  appendMetrics(record: object): void {
    this.#metrics.push(JSON.stringify(record));
    writeFileAtomic(join(this.path, 'metrics.jsonl'), this.#metrics.join('\n') + '\n');
  }
}

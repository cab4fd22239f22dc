/**
 * A training run on disk (Node): config.json (fully resolved), metrics.jsonl (one line per
 * epoch) and summary.json. Files are written atomically: temporary file, flush, rename.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqrtkError } from '../errors.js';
import { isTemporaryName, writeFileAtomic } from '../node/atomic.js';

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
        if (isTemporaryName(name)) rmSync(join(path, name), { force: true });
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

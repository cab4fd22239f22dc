/**
 * A training run on disk (Node): config.json (fully resolved), metrics.jsonl (one line per
 * epoch), summary.json, rewires.json, checkpoint.sqrtk and model.sqrtk. Every file is written
 * atomically (temporary file, flush, rename), so a crash or a full disk leaves the previous one.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { optionError } from '../errors.js';
import { isTemporaryName, writeError, writeFileAtomic } from '../node/atomic.js';

/** The files `sqrtk train`, `export` and `report` write into a run directory. */
export const RUN_FILES = [
  'config.json',
  'metrics.jsonl',
  'summary.json',
  'rewires.json',
  'checkpoint.sqrtk',
  'best.sqrtk',
  'model.sqrtk',
  'report.html',
  'analysis.json',
  '.write-test',
];
/** The files `sqrtk export` writes into DIR/export/. */
const EXPORT_FILES = [
  'network.npz',
  'network.safetensors',
  'recurrent.csv',
  'w_in.csv',
  'bias.csv',
  'w_out.csv',
  'b_out.csv',
  'x0.csv',
  'config.json',
];
/** Any of these means the directory holds a run. */
const RUN_MARKERS = ['config.json', 'checkpoint.sqrtk', 'model.sqrtk'];

/**
 * Makes `dir` ready for a new run. Refuses a directory that holds another run, unless `overwrite`:
 * then that run's files (only sqrtk's own; never unknown files) are removed first.
 */
export function clearForNewRun(dir: string, overwrite: boolean): void {
  const found = RUN_MARKERS.filter((name) => existsSync(join(dir, name)));
  if (found.length === 0) return;
  if (!overwrite)
    throw optionError(
      '--out',
      dir,
      `holds another run (${found.join(', ')})`,
      'pass --overwrite to replace it, --resume to continue it, or choose another --out',
    );
  try {
    for (const name of RUN_FILES) rmSync(join(dir, name), { force: true });
    const exported = join(dir, 'export');
    if (existsSync(exported)) {
      for (const name of EXPORT_FILES) rmSync(join(exported, name), { force: true });
      if (readdirSync(exported).length === 0) rmdirSync(exported);
    }
    removeFigures(dir);
  } catch (cause) {
    throw writeError(dir, cause);
  }
}

/** Whether `name` is a file `sqrtk report --figures` writes: NN-name.svg or NN-name.png. */
export const isFigureFile = (name: string) => /^\d\d-[a-z0-9-]+\.(svg|png)$/.test(name);

/** Removes the figures of an earlier `sqrtk report --figures` (never other files of DIR/figures). */
export function removeFigures(dir: string): void {
  const figures = join(dir, 'figures');
  if (!existsSync(figures)) return;
  for (const name of readdirSync(figures))
    if (isFigureFile(name)) rmSync(join(figures, name), { force: true });
  if (readdirSync(figures).length === 0) rmdirSync(figures);
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
    const probe = join(path, '.write-test');
    try {
      mkdirSync(path, { recursive: true });
      // Temporary files of writes that a crash interrupted; the files they were replacing are intact.
      for (const name of readdirSync(path))
        if (isTemporaryName(name)) rmSync(join(path, name), { force: true });
      writeFileAtomic(probe, '');
      rmSync(probe);
    } catch (cause) {
      throw writeError(path, cause);
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

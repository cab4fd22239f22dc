/**
 * `sqrtk train --resume DIR`: the options come from DIR/config.json; training continues from
 * DIR/checkpoint.sqrtk (or starts over when no checkpoint was written yet). A checkpoint of
 * another run (its run id differs from config.json's) is refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqrtkError } from '../errors.js';
import { loadNetworkFile } from '../node/files.js';
import { SparseRNN } from '../model.js';
import type { DataFile } from './data-task.js';
import type { InitFile } from './init-network.js';
import { RunDirectory } from './run-dir.js';
import { lockRunDirectory } from './lock.js';
import {
  BEST,
  CHECKPOINT,
  runTraining,
  startingNetwork,
  taskOf,
  type CheckpointExtra,
  type TrainCommandOptions,
} from './train.js';
import type { Progress } from './progress.js';
import { taskOptionPairs } from '../tasks/options.js';
import type { OptionValue } from '../tasks/index.js';
import { metricsLine } from './selection.js';
import type { EpochRecord } from '../train.js';

interface SavedConfig {
  run_id?: string;
  task?: { options?: Record<string, OptionValue> };
  data?: DataFile[];
  init?: InitFile;
  cli: TrainCommandOptions;
}

function readConfig(dir: string): SavedConfig {
  const path = join(dir, 'config.json');
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SqrtkError(
      'E_IO',
      `--resume (=${JSON.stringify(dir)}) has no readable config.json (${(cause as Error).message}); pass the --out directory of an earlier run`,
      { cause },
    );
  }
  const cli = (saved as { cli?: unknown } | null)?.cli;
  if (cli === null || typeof cli !== 'object')
    throw new SqrtkError(
      'E_DATA',
      `${path}: has no "cli" entry; it was not written by \`sqrtk train\`, so the run cannot be resumed`,
    );
  return saved as SavedConfig;
}

function readCheckpoint(path: string, runId: string | undefined) {
  let loaded: { net: SparseRNN; extra: unknown };
  try {
    loaded = loadNetworkFile(path);
  } catch (e) {
    if (!(e instanceof SqrtkError) || e.code !== 'E_DATA') throw e;
    throw new SqrtkError(
      'E_DATA',
      `${e.message}; delete it to restart the run from the beginning (--resume starts over when there is no checkpoint)`,
      { cause: e },
    );
  }
  const extra = loaded.extra as CheckpointExtra | null;
  const fail = (why: string, fix: string) => {
    loaded.net.free();
    return new SqrtkError('E_DATA', `${path}: ${why}; ${fix}`);
  };
  if (!extra?.fit)
    throw fail(
      'holds no training position; it was not written by `sqrtk train`',
      'delete it to restart the run from the beginning',
    );
  if (extra.run_id !== runId)
    throw fail(
      `belongs to another run (run id ${extra.run_id ?? 'none'}, config.json has ${runId ?? 'none'})`,
      'delete it to restart this run from the beginning, or resume the directory it came from',
    );
  return { net: loaded.net, state: extra.fit };
}

/**
 * The metrics.jsonl lines of the epochs the checkpoint has done. They are read back from the file
 * (it holds the test metrics of runs that select on a validation split, which the checkpoint does
 * not), and rebuilt from the checkpoint where the file lacks a line.
 */
function previousMetrics(dir: string, epochs: EpochRecord[]): object[] {
  let lines: unknown[] = [];
  try {
    const text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim();
    lines = text === '' ? [] : text.split('\n').map((line) => JSON.parse(line));
  } catch {
    // missing or damaged: rebuild every line from the checkpoint
  }
  return epochs.map((record, i) => {
    const line = lines[i] as { epoch?: unknown } | null | undefined;
    return line?.epoch === record.epoch ? line : metricsLine(record);
  });
}

/** DIR/best.sqrtk of a --keep-best run, which the checkpoint's best epoch needs. */
function readBest(dir: string): Uint8Array {
  const path = join(dir, BEST);
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new SqrtkError(
      'E_DATA',
      `${path}: cannot be read (${(cause as Error).message}); --keep-best needs the best epoch's network kept there: delete checkpoint.sqrtk to restart the run from the beginning`,
      { cause },
    );
  }
}

export async function resumeRun(dir: string, progress: Progress): Promise<void> {
  readConfig(dir); // a clear error, before the lock creates anything, if DIR is not a run
  const release = lockRunDirectory(dir);
  try {
    const saved = readConfig(dir);
    // A built-in task is rebuilt from the options it was built with (defaults included).
    const recorded = saved.cli.data === undefined ? saved.task?.options : undefined;
    const taskOption = recorded ? taskOptionPairs(recorded) : saved.cli.taskOption;
    // A run recorded before --rewire-batch existed scored each rewiring on its last batch.
    const o = { ...saved.cli, rewireBatch: saved.cli.rewireBatch ?? 0, taskOption, out: dir };
    const { task } = await taskOf(o, saved.data);
    const checkpoint = join(dir, CHECKPOINT);
    if (!existsSync(checkpoint)) {
      console.error(`no checkpoint in ${dir} yet: starting the run from the beginning`);
      using net = startingNetwork(o, task, saved.init).net;
      return await runTraining(o, task, net, new RunDirectory(dir), saved.run_id, progress);
    }
    const loaded = readCheckpoint(checkpoint, saved.run_id);
    using net = loaded.net;
    const state = loaded.state;
    console.error(
      `resuming ${dir} at epoch ${state.epoch}, batch ${state.batch + 1} (optimizer step ${net.steps})`,
    );
    const run = new RunDirectory(dir, previousMetrics(dir, state.epochs));
    const best = o.keepBest && state.schedule?.monitor.best ? readBest(dir) : undefined;
    await runTraining(o, task, net, run, saved.run_id, progress, state, best);
  } finally {
    release();
  }
}

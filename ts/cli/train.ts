/**
 * `sqrtk train`: build a network, train it on a task, write the run directory. Everything is
 * validated before the directory is touched; the directory is locked while the run writes it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  fit,
  resolveFitOptions,
  type EpochRecord,
  type FitOptions,
  type FitState,
  type History,
} from '../train.js';
import { optionError, SqrtkError } from '../errors.js';
import { saveNetworkFile } from '../node/files.js';
import { SparseRNN } from '../model.js';
import { threadCount } from '../init.js';
import type { NetworkOptions } from '../options.js';
import type { Task } from '../tasks/index.js';
import { loadTaskFromFlags } from '../tasks/options.js';
import { checkUnchanged, dataTask, type DataCommandOptions, type DataFile } from './data-task.js';
import { clearForNewRun, RunDirectory } from './run-dir.js';
import { lockRunDirectory } from './lock.js';
import { watchInterrupts } from './interrupt.js';
import { summarize } from '../output/summary.js';
import type { Progress } from './progress.js';

/** The options `train` and `compare` share (commander's camelCase names of the flags). */
export interface ModelCommandOptions {
  neurons: number;
  k: number;
  learned?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  dynamics: NetworkOptions['dynamics'];
  activation: NetworkOptions['activation'];
  gain: number;
  growth: NetworkOptions['growth'];
  mode: NetworkOptions['mode'];
  rewireEvery: number;
  rewireFraction: number;
  rewireUntil: number;
  frozenBackbone?: boolean;
  threads?: number;
}

export interface TrainCommandOptions extends ModelCommandOptions, DataCommandOptions {
  task: string;
  /** `--task-option key=value` pairs, as written. */
  taskOption?: string[];
  seed: number;
  out: string;
  checkpointEvery?: number;
  resume?: string;
  overwrite?: boolean;
}

export function networkOptions(task: Task, o: ModelCommandOptions, seed: number): NetworkOptions {
  return {
    inputs: task.inputs,
    outputs: task.outputs,
    loss: task.loss,
    neurons: o.neurons,
    k: o.k,
    learned: o.learned,
    dynamics: o.dynamics,
    activation: o.activation,
    gain: o.gain,
    growth: o.growth,
    mode: o.mode,
    trainBackbone: !o.frozenBackbone,
    seed,
  };
}

export function fitOptions(o: ModelCommandOptions): FitOptions {
  const { epochs, batchSize, lr, rewireEvery, rewireFraction, rewireUntil } = o;
  return { epochs, batchSize, lr, rewireEvery, rewireFraction, rewireUntil };
}

export const CHECKPOINT = 'checkpoint.sqrtk';

/** What a checkpoint (and model.sqrtk) stores beside the network. */
export interface CheckpointExtra {
  fit: FitState | null;
  run_id?: string;
}

/** Per-epoch line of metrics.jsonl. */
export function metricsLine(r: EpochRecord) {
  const { epoch, steps, loss, accuracy, valLoss, valAccuracy, seconds } = r;
  return {
    epoch,
    steps,
    train_loss: loss,
    train_accuracy: accuracy,
    test_loss: valLoss,
    test_accuracy: valAccuracy,
    seconds,
  };
}

/** Checks every option against the task, so that nothing is written for a run that cannot start. */
function validate(o: TrainCommandOptions, task: Task): FitOptions {
  const fitOpts = fitOptions(o);
  resolveFitOptions({ ...fitOpts, checkpointEvery: o.checkpointEvery });
  const size = task.train.shape[0];
  if (o.batchSize > size)
    throw optionError(
      '--batch-size',
      o.batchSize,
      `must be at most the number of training sequences of ${task.name} (=${size})`,
      'lower --batch-size',
    );
  return fitOpts;
}

/**
 * The task a run trains on: the user's files (`--data`, with what was read) or a built-in task.
 * `recorded` are the files config.json names (on --resume): they must not have changed.
 */
export async function taskOf(
  o: TrainCommandOptions,
  recorded: DataFile[] = [],
): Promise<{ task: Task; files: DataFile[] }> {
  if (o.data === undefined) {
    for (const flag of ['test', 'testFraction', 'standardize', 'loss'] as const)
      if (o[flag] !== undefined)
        throw optionError(flagName(flag), o[flag], 'needs --data', 'pass --data FILE too');
    return { task: loadTaskFromFlags(o.task, o.taskOption), files: [] };
  }
  if (o.taskOption !== undefined)
    throw optionError(
      '--task-option',
      o.taskOption.join(' '),
      'applies to a built-in --task, not to --data',
      'leave it out',
    );
  const { task, files } = await dataTask(o);
  checkUnchanged(recorded, files);
  return { task, files };
}

function absolute(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `sqrtk train --out DIR`: a new run (refusing a directory that holds another one). */
export async function trainRun(given: TrainCommandOptions & { out: string }, progress: Progress) {
  // Data paths are recorded absolute, so `--resume` finds them from any directory.
  const o = { ...given, data: absolute(given.data), test: absolute(given.test) };
  const { task, files } = await taskOf(o);
  validate(o, task);
  using net = new SparseRNN(networkOptions(task, o, o.seed));
  net.checkTrainingMemory(o.batchSize, task.train.shape[1]);
  const release = lockRunDirectory(o.out);
  try {
    clearForNewRun(o.out, o.overwrite ?? false);
    const run = new RunDirectory(o.out);
    const runId = randomUUID();
    run.writeJson('config.json', {
      run_id: runId,
      task: { name: task.name, description: task.description, options: task.options },
      ...(files.length > 0 && { data: files }),
      network: net.config,
      fit: fitOptions(o),
      threads: threadCount(),
      // With --data the built-in --task (its default) does not apply.
      cli: { ...o, task: o.data ? undefined : o.task, resume: undefined, overwrite: undefined },
    });
    await runTraining(o, task, net, run, runId, progress);
  } finally {
    release();
  }
}

/**
 * Trains `net` (fresh, or loaded from a checkpoint with its position `resume`) and writes the
 * metrics, checkpoints and final files into `run`. The caller holds the directory's lock.
 */
export async function runTraining(
  o: TrainCommandOptions & { out: string },
  task: Task,
  net: SparseRNN,
  run: RunDirectory,
  runId: string | undefined,
  progress: Progress,
  resume?: FitState,
): Promise<void> {
  const fitOpts = validate(o, task);
  const checkpoint = join(o.out, CHECKPOINT);
  const interrupt = watchInterrupts(() => progress.stop());
  const batches = Math.ceil(task.train.shape[0] / o.batchSize);
  progress.start(batches * o.epochs, o.epochs);
  let history: History;
  try {
    history = await fit(net, task.train, {
      ...fitOpts,
      validation: task.test,
      resume,
      signal: interrupt.signal,
      checkpointEvery: o.checkpointEvery,
      onCheckpoint: (state) =>
        saveNetworkFile(checkpoint, net, { fit: state, run_id: runId } satisfies CheckpointExtra),
      onProgress: (e) => {
        if (e.type === 'batch')
          return progress.batch((e.epoch - 1) * batches + e.batch, e.epoch, e.loss);
        run.appendMetrics(metricsLine(e.record));
        progress.epoch(e.record.epoch, e.epochs, e.record.loss, e.record.valAccuracy);
      },
    });
  } catch (e) {
    throw explainStop(e, o, checkpoint, interrupt.exitCode);
  } finally {
    progress.stop();
  }
  saveNetworkFile(join(o.out, 'model.sqrtk'), net, { fit: null, run_id: runId });
  run.writeJson('rewires.json', history.rewires);
  const summary = summarize(net, task, history);
  run.writeJson('summary.json', summary);
  interrupt.dispose();
  const degree = `in-degree ${summary.in_degree.mean.toFixed(1)} ± ${summary.in_degree.sd.toFixed(1)} (χ² p = ${summary.in_degree_test.p_value.toPrecision(2)})`;
  console.log(
    `test accuracy ${summary.test_accuracy?.toFixed(4)}  ${degree}  state ${summary.state_hash}`,
  );
  console.log(
    `wrote ${run.path}/config.json, metrics.jsonl, summary.json, rewires.json, model.sqrtk`,
  );
}

/** The error to report for a run that stopped: where it stopped and how to go on. */
function explainStop(
  e: unknown,
  o: { out: string; checkpointEvery?: number },
  checkpoint: string,
  exitCode: number,
): unknown {
  if (!(e instanceof SqrtkError)) return e;
  const resume = `sqrtk train --resume ${/\s/.test(o.out) ? JSON.stringify(o.out) : o.out}`;
  if (e.code === 'E_ABORTED') {
    // fit says where it stopped (its E_ABORTED carries epoch and step).
    const at = e as SqrtkError & { epoch: number; step: number };
    const where = `interrupted at epoch ${at.epoch}, step ${at.step}`;
    const next =
      o.checkpointEvery !== undefined
        ? `continue with: ${resume}`
        : `no checkpoint was kept (train with --checkpoint-every to keep progress); start again with: ${resume}`;
    return Object.assign(new SqrtkError('E_ABORTED', `${where}; ${next}`, { cause: e }), {
      exitCode,
    });
  }
  if (e.code === 'E_DIVERGED' && existsSync(checkpoint))
    return new SqrtkError(
      'E_DIVERGED',
      `${e.message}. The last good checkpoint is kept: ${checkpoint}`,
      { cause: e },
    );
  if (e.code === 'E_IO' && existsSync(checkpoint))
    return new SqrtkError('E_IO', `${e.message}; then continue with: ${resume}`, { cause: e });
  return e;
}

/**
 * `sqrtk train`: build a network, train it on a task, write the run directory. Everything is
 * validated before the directory is touched; the directory is locked while the run writes it.
 */
import { pValue } from '../output/report.js';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fit, resolveFitOptions, type FitOptions, type FitState, type History } from '../train.js';
import { evaluate } from '../evaluate.js';
import { optionError, SqrtkError } from '../errors.js';
import { writeFileAtomic } from '../node/atomic.js';
import { saveNetworkFile } from '../node/files.js';
import { SparseRNN } from '../model.js';
import { threadCount } from '../init.js';
import type { NetworkOptions } from '../options.js';
import type { Task } from '../tasks/index.js';
import { loadTaskFromFlags } from '../tasks/options.js';
import { loadInitNetwork, type InitFile } from './init-network.js';
import { checkUnchanged, dataTask, type DataCommandOptions, type DataFile } from './data-task.js';
import { clearForNewRun, RunDirectory } from './run-dir.js';
import { lockRunDirectory } from './lock.js';
import { watchInterrupts } from './interrupt.js';
import { summarize } from '../output/summary.js';
import type { Progress } from './progress.js';
import {
  describeValidation,
  metricsLine,
  validate,
  type ScheduleCommandOptions,
} from './selection.js';

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
  noise: number;
  initialState: NetworkOptions['initialState'];
  growth: NetworkOptions['growth'];
  mode: NetworkOptions['mode'];
  /** Unset: the strategy's default (scheduleDefaults). */
  rewireEvery?: number;
  rewireFraction: number;
  rewireUntil?: number;
  rewireBatch: number;
  frozenBackbone?: boolean;
  threads?: number;
  excitatory?: number;
  dale?: boolean;
  scaling?: NetworkOptions['scaling'];
  blocks?: NetworkOptions['blocks'];
  couplings?: NetworkOptions['couplings'];
  maxLearnedOut?: number;
}

export interface TrainCommandOptions
  extends ModelCommandOptions, DataCommandOptions, ScheduleCommandOptions {
  task: string;
  /** `--task-option key=value` pairs, as written. */
  taskOption?: string[];
  seed: number;
  out: string;
  checkpointEvery?: number;
  resume?: string;
  overwrite?: boolean;
  /** Start from this saved network instead of a new one. */
  init?: string;
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
    noise: o.noise,
    initialState: o.initialState,
    growth: o.growth,
    mode: o.mode,
    trainBackbone: !o.frozenBackbone,
    seed,
    excitatory: o.excitatory,
    dale: o.dale,
    scaling: o.scaling,
    blocks: o.blocks,
    couplings: o.couplings,
    maxLearnedOut: o.maxLearnedOut,
  };
}

export function fitOptions(o: ModelCommandOptions): FitOptions {
  const { epochs, batchSize, lr, rewireEvery, rewireFraction, rewireUntil, rewireBatch } = o;
  return { epochs, batchSize, lr, rewireEvery, rewireFraction, rewireUntil, rewireBatch };
}

export const CHECKPOINT = 'checkpoint.sqrtk';
/** The best epoch's network (--keep-best), written whenever a new best arrives. */
export const BEST = 'best.sqrtk';

/** What a checkpoint (and model.sqrtk) stores beside the network. */
export interface CheckpointExtra {
  fit: FitState | null;
  run_id?: string;
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

/**
 * The network a run starts from: a new one built from the flags, or the `--init` file
 * (`recorded`: the file config.json names, on --resume, which must not have changed).
 */
export function startingNetwork(
  o: TrainCommandOptions,
  task: Task,
  recorded?: InitFile,
): { net: SparseRNN; init?: InitFile } {
  if (o.init === undefined) return { net: new SparseRNN(networkOptions(task, o, o.seed)) };
  const { net, file } = loadInitNetwork(o.init, task, recorded);
  return { net, init: file };
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
  const o = {
    ...given,
    data: absolute(given.data),
    test: absolute(given.test),
    init: absolute(given.init),
  };
  const { task, files } = await taskOf(o);
  const p = validate(o, task, fitOptions(o));
  const start = startingNetwork(o, task);
  using net = start.net;
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
      ...(start.init && { init: start.init }),
      network: net.config,
      fit: resolveFitOptions(
        { ...p.fit, validationFraction: p.fraction ?? undefined },
        net.config.growth,
      ),
      validation: p.fraction === null ? null : { fraction: p.fraction, of: describeValidation(p) },
      curriculum: p.curriculum
        ? { option: p.curriculum.option, values: p.curriculum.values }
        : null,
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
  resumeBest?: Uint8Array,
): Promise<void> {
  const p = validate(o, task, fitOptions(o));
  const validation = describeValidation(p);
  if (p.curriculum)
    console.error(
      `curriculum: ${p.curriculum.option} ${p.curriculum.values.join(' → ')} over epochs 1–${p.curriculum.values.length}`,
    );
  if (validation)
    console.error(
      `selecting epochs on a validation split: ${validation}, seeded by --seed; the test set is only reported`,
    );
  const checkpoint = join(o.out, CHECKPOINT);
  const interrupt = watchInterrupts(() => progress.stop());
  const batches = Math.ceil(p.train.shape[0] / o.batchSize);
  progress.start(batches * o.epochs, o.epochs);
  let history: History;
  try {
    history = await fit(net, p.train, {
      ...p.fit,
      validation: p.validation ?? task.test,
      resume,
      resumeBest,
      onBest: o.keepBest ? (bytes) => writeFileAtomic(join(o.out, BEST), bytes) : undefined,
      signal: interrupt.signal,
      checkpointEvery: o.checkpointEvery,
      onCheckpoint: (state) =>
        saveNetworkFile(checkpoint, net, { fit: state, run_id: runId } satisfies CheckpointExtra),
      onProgress: (e) => {
        if (e.type === 'batch')
          return progress.batch((e.epoch - 1) * batches + e.batch, e.epoch, e.loss);
        const test = p.validation ? evaluate(net, task.test) : undefined;
        run.appendMetrics(metricsLine(e.record, test));
        const accuracy = test ? test.accuracy : e.record.valAccuracy;
        progress.epoch(e.record.epoch, e.epochs, e.record.loss, accuracy);
      },
    });
  } catch (e) {
    throw explainStop(e, o, checkpoint, interrupt.exitCode);
  } finally {
    progress.stop();
  }
  saveNetworkFile(join(o.out, 'model.sqrtk'), net, { fit: null, run_id: runId });
  run.writeJson('rewires.json', history.rewires);
  const summary = summarize(net, task, history, validation);
  run.writeJson('summary.json', summary);
  interrupt.dispose();
  const degree = `in-degree ${summary.in_degree.mean.toFixed(1)} ± ${summary.in_degree.sd.toFixed(1)} (χ² p ${pValue(summary.in_degree_test.p_value)})`;
  // A regression task (MSE) has no accuracy: its test loss says how well it did.
  const score =
    summary.test_accuracy === null || summary.test_accuracy === undefined
      ? `test loss ${summary.test_loss?.toPrecision(3)}`
      : `test accuracy ${summary.test_accuracy.toFixed(4)}`;
  console.log(`${score}  ${degree}  state ${summary.state_hash}`);
  const stopped = history.stopReason === 'early_stop' ? 'stopped early' : 'all epochs ran';
  if (validation)
    console.log(
      `kept epoch ${history.keptEpoch} of ${history.epochs.length} (${stopped}; best validation ${history.monitor} ${history.best?.toFixed(4)} at epoch ${history.bestEpoch})`,
    );
  console.log(
    `wrote ${run.path}/config.json, metrics.jsonl, summary.json, rewires.json, model.sqrtk${o.keepBest ? `, ${BEST}` : ''}`,
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

/** `sqrtk train`: build a network, train it on a task, write the run directory. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fit, type EpochRecord, type FitOptions, type FitState, type History } from '../train.js';
import { SqrtkError } from '../errors.js';
import { loadNetworkFile, saveNetworkFile } from '../node/files.js';
import { SparseRNN } from '../model.js';
import { threadCount } from '../init.js';
import type { NetworkOptions } from '../options.js';
import { loadTask, type Task } from '../tasks/index.js';
import { RunDirectory } from './run-dir.js';
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

export interface TrainCommandOptions extends ModelCommandOptions {
  task: string;
  seed: number;
  out: string;
  checkpointEvery?: number;
  resume?: string;
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

const CHECKPOINT = 'checkpoint.sqrtk';

/** Per-epoch line of metrics.jsonl. */
function metricsLine(r: EpochRecord) {
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

/**
 * `sqrtk train --resume DIR`: the options come from DIR/config.json; training continues from
 * DIR/checkpoint.sqrtk (or starts over when no checkpoint was written yet).
 */
export async function resumeRun(dir: string, progress: Progress): Promise<void> {
  const configPath = join(dir, 'config.json');
  let saved: { cli?: TrainCommandOptions };
  try {
    saved = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (cause) {
    throw new SqrtkError(
      'E_IO',
      `resume (="${dir}") has no readable config.json (${(cause as Error).message}); pass the --out directory of an earlier run`,
      { cause },
    );
  }
  if (!saved.cli)
    throw new SqrtkError(
      'E_DATA',
      `${configPath}: has no "cli" entry; it was not written by \`sqrtk train\``,
    );
  const checkpoint = join(dir, CHECKPOINT);
  if (!existsSync(checkpoint)) {
    console.error(`no checkpoint in ${dir} yet: starting the run from the beginning`);
    return trainRun({ ...saved.cli, out: dir }, progress);
  }
  const { net, extra } = loadNetworkFile(checkpoint);
  const state = (extra as { fit?: FitState } | null)?.fit;
  if (!state)
    throw new SqrtkError(
      'E_DATA',
      `${checkpoint}: holds no training position; it was not written by \`sqrtk train\``,
    );
  console.error(
    `resuming ${dir} at epoch ${state.epoch}, batch ${state.batch + 1} (optimizer step ${net.steps})`,
  );
  return trainRun({ ...saved.cli, out: dir }, progress, { net, state });
}

export async function trainRun(
  o: TrainCommandOptions,
  progress: Progress,
  resume?: { net: SparseRNN; state: FitState },
): Promise<void> {
  const task = loadTask(o.task);
  using net = resume?.net ?? new SparseRNN(networkOptions(task, o, o.seed));
  const fitOpts = fitOptions(o);
  const run = new RunDirectory(o.out, resume?.state.epochs.map(metricsLine));
  if (!resume) {
    const cli = { ...o, resume: undefined };
    run.writeJson('config.json', {
      task: { name: task.name, description: task.description },
      network: net.config,
      fit: fitOpts,
      threads: threadCount(),
      cli,
    });
  }
  const checkpoint = join(o.out, CHECKPOINT);

  const batches = Math.ceil(task.train.shape[0] / o.batchSize);
  progress.start(batches * o.epochs, o.epochs);
  let history: History;
  try {
    history = await fit(net, task.train, {
      ...fitOpts,
      validation: task.test,
      resume: resume?.state,
      checkpointEvery: o.checkpointEvery,
      onCheckpoint: (state) => saveNetworkFile(checkpoint, net, { fit: state }),
      onProgress: (e) => {
        if (e.type === 'batch')
          return progress.batch((e.epoch - 1) * batches + e.batch, e.epoch, e.loss);
        run.appendMetrics(metricsLine(e.record));
        progress.epoch(e.record.epoch, e.epochs, e.record.loss, e.record.valAccuracy);
      },
    });
  } catch (e) {
    if (e instanceof SqrtkError && e.code === 'E_DIVERGED' && existsSync(checkpoint)) {
      throw new SqrtkError(
        'E_DIVERGED',
        `${e.message}. The last good checkpoint is kept: ${checkpoint}`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    progress.stop();
  }
  saveNetworkFile(join(o.out, 'model.sqrtk'), net, { fit: null });
  run.writeJson('rewires.json', history.rewires);
  const summary = summarize(net, task, history);
  run.writeJson('summary.json', summary);
  const degree = `in-degree ${summary.in_degree.mean.toFixed(1)} ± ${summary.in_degree.sd.toFixed(1)} (χ² p = ${summary.in_degree_test.p_value.toPrecision(2)})`;
  console.log(
    `test accuracy ${summary.test_accuracy?.toFixed(4)}  ${degree}  state ${summary.state_hash}`,
  );
  console.log(
    `wrote ${run.path}/config.json, metrics.jsonl, summary.json, rewires.json, model.sqrtk`,
  );
}

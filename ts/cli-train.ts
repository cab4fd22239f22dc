/** `sqrtk train`: build a network, train it on a task, write the run directory. */
import { evaluate, fit, type FitOptions, type History } from './train.js';
import { SparseRNN } from './model.js';
import { threadCount } from './init.js';
import type { NetworkOptions } from './options.js';
import { loadTask, type Task } from './tasks.js';
import { RunDirectory } from './run.js';
import { degreeStats } from './stats.js';
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

/** The numbers a finished run reports (summary.json, and one row of a comparison). */
export function summarize(net: SparseRNN, task: Task, history: History) {
  const test = evaluate(net, task.test);
  const inDegree = net.inDegree();
  const backbone = net.backboneDegree();
  const learned = degreeStats(inDegree.map((d, i) => d - backbone[i]));
  const degreeTest = net.inDegreeTest();
  const { rewires, turnover } = net.rewireCounts();
  return {
    task: task.name,
    test_accuracy: test.accuracy,
    test_loss: test.loss,
    neurons: net.config.neurons,
    k: net.config.k,
    synapses: inDegree.reduce((a, b) => a + b, 0),
    in_degree: degreeStats(inDegree),
    backbone_in_degree: degreeStats(backbone),
    in_degree_test: {
      test: degreeTest.test,
      against: `Binomial(${net.config.neurons - 1}, ${net.config.k}/${net.config.neurons})`,
      statistic: degreeTest.statistic,
      dof: degreeTest.dof,
      p_value: degreeTest.pValue,
    },
    learned_per_neuron: net.config.learned,
    learned_per_neuron_check: { min: learned.min, max: learned.max },
    growth: net.config.growth,
    mode: net.config.mode,
    train_backbone: net.config.trainBackbone,
    rewires,
    turnover,
    train_seconds: history.trainSeconds,
    rewire_seconds: history.rewireSeconds,
    seed: net.config.seed,
    state_hash: net.stateHash(),
  };
}

export async function trainRun(o: TrainCommandOptions, progress: Progress): Promise<void> {
  const task = loadTask(o.task);
  using net = new SparseRNN(networkOptions(task, o, o.seed));
  const fitOpts = fitOptions(o);
  const run = new RunDirectory(o.out);
  run.writeJson('config.json', {
    task: { name: task.name, description: task.description },
    network: net.config,
    fit: fitOpts,
    threads: threadCount(),
  });

  const batches = Math.ceil(task.train.shape[0] / o.batchSize);
  progress.start(batches * o.epochs, o.epochs);
  let history: History;
  try {
    history = await fit(net, task.train, {
      ...fitOpts,
      validation: task.test,
      onProgress: (e) => {
        if (e.type === 'batch')
          return progress.batch((e.epoch - 1) * batches + e.batch, e.epoch, e.loss);
        const r = e.record;
        run.appendMetrics({
          epoch: r.epoch,
          steps: r.steps,
          train_loss: r.loss,
          train_accuracy: r.accuracy,
          test_loss: r.valLoss,
          test_accuracy: r.valAccuracy,
          seconds: r.seconds,
        });
        progress.epoch(r.epoch, e.epochs, r.loss, r.valAccuracy);
      },
    });
  } finally {
    progress.stop();
  }
  const summary = summarize(net, task, history);
  run.writeJson('summary.json', summary);
  const degree = `in-degree ${summary.in_degree.mean.toFixed(1)} ± ${summary.in_degree.sd.toFixed(1)} (χ² p = ${summary.in_degree_test.p_value.toPrecision(2)})`;
  console.log(
    `test accuracy ${summary.test_accuracy?.toFixed(4)}  ${degree}  state ${summary.state_hash}`,
  );
  console.log(`wrote ${run.path}/config.json, metrics.jsonl, summary.json`);
}

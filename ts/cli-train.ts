/** `sqrtk train`: build a network, train it on a task, write the run directory. */
import { fit, evaluate } from './train.js';
import { SparseRNN } from './model.js';
import { loadTask } from './tasks.js';
import { RunDirectory } from './run.js';
import { degreeStats } from './stats.js';
import type { Progress } from './cli.js';

export interface TrainCommandOptions {
  task: string;
  neurons: number;
  k: number;
  learned?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  dynamics: 'discrete' | 'rate';
  activation: 'tanh' | 'relu';
  gain: number;
  frozenBackbone?: boolean;
  out: string;
}

export async function trainRun(o: TrainCommandOptions, progress: Progress): Promise<void> {
  const task = loadTask(o.task);
  using net = new SparseRNN({
    inputs: task.inputs,
    outputs: task.outputs,
    loss: task.loss,
    neurons: o.neurons,
    k: o.k,
    learned: o.learned,
    dynamics: o.dynamics,
    activation: o.activation,
    gain: o.gain,
    trainBackbone: !o.frozenBackbone,
    seed: o.seed,
  });
  const fitOptions = { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr };
  const run = new RunDirectory(o.out);
  run.writeJson('config.json', {
    task: { name: task.name, description: task.description },
    network: net.config,
    fit: fitOptions,
  });

  const batches = Math.ceil(task.train.shape[0] / o.batchSize);
  progress.start(batches * o.epochs, o.epochs);
  const started = Date.now();
  try {
    await fit(net, task.train, {
      ...fitOptions,
      validation: task.test,
      onProgress: (e) => {
        if (e.type === 'batch') progress.batch((e.epoch - 1) * batches + e.batch, e.epoch, e.loss);
        else {
          run.appendMetrics({
            epoch: e.record.epoch,
            steps: e.record.steps,
            train_loss: e.record.loss,
            train_accuracy: e.record.accuracy,
            test_loss: e.record.valLoss,
            test_accuracy: e.record.valAccuracy,
            seconds: e.record.seconds,
          });
          progress.epoch(e.record.epoch, e.epochs, e.record.loss, e.record.valAccuracy);
        }
      },
    });
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const test = evaluate(net, task.test);
  const inDegree = net.inDegree();
  const backbone = net.backboneDegree();
  const learned = inDegree.map((d, i) => d - backbone[i]);
  const summary = {
    task: task.name,
    test_accuracy: test.accuracy,
    test_loss: test.loss,
    train_seconds: seconds,
    neurons: net.config.neurons,
    k: net.config.k,
    synapses: inDegree.reduce((a, b) => a + b, 0),
    in_degree: degreeStats(inDegree),
    backbone_in_degree: degreeStats(backbone),
    learned_per_neuron: net.config.learned,
    learned_per_neuron_check: { min: degreeStats(learned).min, max: degreeStats(learned).max },
    growth: net.config.growth,
    seed: net.config.seed,
    state_hash: net.stateHash(),
  };
  run.writeJson('summary.json', summary);
  console.log(
    `test accuracy ${test.accuracy?.toFixed(4)}  in-degree ${summary.in_degree.mean.toFixed(1)} ± ${summary.in_degree.sd.toFixed(1)}  state ${summary.state_hash}`,
  );
  console.log(`wrote ${run.path}/config.json, metrics.jsonl, summary.json`);
}

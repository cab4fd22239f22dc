/** The numbers a finished run reports: summary.json, and one row of a comparison. */
import type { SparseRNN } from '../model.js';
import type { Task } from '../tasks/index.js';
import { evaluate } from '../evaluate.js';
import type { EpochRecord, History } from '../train.js';
import type { Evaluation } from '../evaluate.js';
import { degreeStats } from './stats.js';
import { excitatoryCount } from '../options.js';

/**
 * The numbers a finished run reports (summary.json, and one row of a comparison). `validation`
 * describes the validation data that selected epochs (e.g. "10% of the training data"); without
 * it the best-epoch fields are null (metrics on the test set never select anything).
 */
export function summarize(net: SparseRNN, task: Task, history: History, validation?: string) {
  const test = evaluate(net, task.test);
  const inDegree = net.inDegree();
  const backbone = net.backboneDegree();
  const learned = degreeStats(inDegree.map((d, i) => d - backbone[i]));
  const { rewires, turnover } = net.rewireCounts();
  // Both degree distributions of the random graph are Binomial(N − 1, K/N); with per-block
  // in-degrees, a sum of one binomial per population, tested per population.
  const { neurons, k, excitatory, blocks } = net.config;
  const against =
    blocks === null
      ? `Binomial(${neurons - 1}, ${k}/${neurons})`
      : 'per population: the sum of the binomials of its blocks';
  const chiSquare = (t: ReturnType<SparseRNN['inDegreeTest']>) => ({
    test: t.test,
    against,
    statistic: t.statistic,
    dof: t.dof,
    p_value: t.pValue,
  });
  return {
    task: task.name,
    test_accuracy: test.accuracy,
    test_trial_accuracy: test.trialAccuracy,
    test_loss: test.loss,
    neurons: net.config.neurons,
    k: net.config.k,
    synapses: inDegree.reduce((a, b) => a + b, 0),
    in_degree: degreeStats(inDegree),
    backbone_in_degree: degreeStats(backbone),
    in_degree_test: chiSquare(net.inDegreeTest()),
    out_degree: degreeStats(net.outDegree()),
    learned_out_degree: degreeStats(net.outDegree({ learnedOnly: true })),
    out_degree_test: chiSquare(net.outDegreeTest()),
    populations:
      excitatory === null
        ? null
        : {
            excitatory: excitatoryCount(net.config),
            inhibitory: neurons - excitatoryCount(net.config),
            dale: net.config.dale,
            scaling: net.config.scaling,
            blocks,
          },
    learned_per_neuron: net.config.learned,
    learned_per_neuron_check: { min: learned.min, max: learned.max },
    growth: net.config.growth,
    mode: net.config.mode,
    train_backbone: net.config.trainBackbone,
    rewires,
    turnover,
    epochs_run: history.epochs.length,
    stop_reason: history.stopReason,
    kept_epoch: history.keptEpoch,
    selected_on: validation === undefined ? null : `validation ${history.monitor} on ${validation}`,
    best_epoch: validation === undefined ? null : history.bestEpoch,
    best_value: validation === undefined ? null : history.best,
    train_seconds: history.trainSeconds,
    rewire_seconds: history.rewireSeconds,
    seed: net.config.seed,
    state_hash: net.stateHash(),
  };
}

export type RunSummary = ReturnType<typeof summarize>;

/**
 * Per-epoch line of metrics.jsonl. `test` is given when fit's validation data is a split of the
 * training data; without it, fit's validation data is the test set.
 */
export function metricsLine(r: EpochRecord, test?: Evaluation) {
  const { epoch, steps, lr, loss, accuracy, valLoss, valAccuracy, seconds } = r;
  return {
    epoch,
    steps,
    lr,
    train_loss: loss,
    train_accuracy: accuracy,
    val_loss: test ? valLoss : null,
    val_accuracy: test ? valAccuracy : null,
    test_loss: test ? test.loss : valLoss,
    test_accuracy: test ? test.accuracy : valAccuracy,
    seconds,
  };
}

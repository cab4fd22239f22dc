/** The numbers a finished run reports: summary.json, and one row of a comparison. */
import type { SparseRNN } from '../model.js';
import type { Task } from '../tasks/index.js';
import { evaluate } from '../evaluate.js';
import type { History } from '../train.js';
import { degreeStats } from './stats.js';

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
    test_trial_accuracy: test.trialAccuracy,
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

export type RunSummary = ReturnType<typeof summarize>;

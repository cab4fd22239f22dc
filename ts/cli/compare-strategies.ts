/**
 * Does learning the structure beat random extra synapses? Trains the same network with each
 * growth strategy, over several seeds, with the backbone frozen (only learned synapses, input
 * and readout weights learn) and trainable, and aggregates its score (test or trial accuracy,
 * or test loss), turnover and degrees.
 */
import { SparseRNN } from '../model.js';
import type { NetworkOptions } from '../options.js';
import { fit, type FitOptions } from '../train.js';
import type { Task } from '../tasks/index.js';
import { summarize, type RunSummary } from '../output/summary.js';
import { pairedTest, type PairedTest } from '../output/paired.js';
import { hasStepLabels } from '../data.js';

export interface CompareGroup {
  task: string;
  growth: NetworkOptions['growth'];
  backbone: 'frozen' | 'trainable';
  seeds: number[];
  test_accuracy: { mean: number; sd: number; values: number[] };
  /**
   * What the comparison ranks by (see `scoreMetric`): the held-out trial accuracy where labels are
   * per step, the test accuracy where there is one label per sequence, the test loss (lower is
   * better) for regression tasks.
   */
  score: {
    metric: ScoreMetric;
    higher_is_better: boolean;
    mean: number;
    sd: number;
    values: number[];
  };
  turnover: { mean: number };
  in_degree: { mean: number; sd: number };
  in_degree_test_p: { median: number };
  out_degree: { mean: number; sd: number };
  out_degree_test_p: { median: number };
  /**
   * `score` minus `random`'s on the same seed, for every seed, with a two-sided paired t-test;
   * null for `random` itself or when `random` was not run.
   */
  vs_random: PairedTest | null;
  train_seconds: { mean: number };
  rewire_seconds: { mean: number };
}

export interface CompareSpec {
  tasks: Task[];
  strategies: NonNullable<NetworkOptions['growth']>[];
  backbones: ('frozen' | 'trainable')[];
  seeds: number[];
  network: (
    task: Task,
    seed: number,
    growth: NonNullable<NetworkOptions['growth']>,
    frozen: boolean,
  ) => NetworkOptions;
  /** The fit options of each strategy (its schedule may differ, see scheduleDefaults). */
  fit: (growth: NonNullable<NetworkOptions['growth']>) => FitOptions;
}

export type ScoreMetric = 'test_trial_accuracy' | 'test_accuracy' | 'test_loss';

/**
 * What a task's runs are ranked by. With a label at every step, step accuracy sits near its
 * ceiling on most tasks (fixation steps are easy), so the whole-trial accuracy is what differs;
 * regression tasks have no accuracy and are ranked by test loss.
 */
export function scoreMetric(task: Task): ScoreMetric {
  if (task.test.labels === undefined) return 'test_loss';
  return hasStepLabels(task.test) ? 'test_trial_accuracy' : 'test_accuracy';
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) =>
  v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Runs every (task, backbone, strategy, seed) combination; `onRun` sees each finished run. */
export async function compareStrategies(
  spec: CompareSpec,
  onRun: (run: RunSummary, index: number, total: number) => void,
) {
  const groups: CompareGroup[] = [];
  const total =
    spec.tasks.length * spec.backbones.length * spec.strategies.length * spec.seeds.length;
  let index = 0;
  for (const task of spec.tasks) {
    for (const backbone of spec.backbones) {
      for (const growth of spec.strategies) {
        const runs: RunSummary[] = [];
        for (const seed of spec.seeds) {
          using net = new SparseRNN(spec.network(task, seed, growth, backbone === 'frozen'));
          const history = await fit(net, task.train, spec.fit(growth));
          runs.push(summarize(net, task, history));
          onRun(runs[runs.length - 1], ++index, total);
        }
        const acc = runs.map((r) => r.test_accuracy ?? NaN);
        const metric = scoreMetric(task);
        const values = runs.map((r) => r[metric] ?? NaN);
        groups.push({
          task: task.name,
          growth,
          backbone,
          seeds: spec.seeds,
          test_accuracy: { mean: mean(acc), sd: sd(acc), values: acc },
          score: {
            metric,
            higher_is_better: metric !== 'test_loss',
            mean: mean(values),
            sd: sd(values),
            values,
          },
          turnover: { mean: mean(runs.map((r) => r.turnover)) },
          in_degree: {
            mean: mean(runs.map((r) => r.in_degree.mean)),
            sd: mean(runs.map((r) => r.in_degree.sd)),
          },
          in_degree_test_p: { median: median(runs.map((r) => r.in_degree_test.p_value)) },
          out_degree: {
            mean: mean(runs.map((r) => r.out_degree.mean)),
            sd: mean(runs.map((r) => r.out_degree.sd)),
          },
          out_degree_test_p: { median: median(runs.map((r) => r.out_degree_test.p_value)) },
          vs_random: null,
          train_seconds: { mean: mean(runs.map((r) => r.train_seconds)) },
          rewire_seconds: { mean: mean(runs.map((r) => r.rewire_seconds)) },
        });
      }
    }
  }
  for (const g of groups) {
    const random = groups.find(
      (r) => r.task === g.task && r.backbone === g.backbone && r.growth === 'random',
    );
    if (random && g !== random) g.vs_random = pairedTest(random.score.values, g.score.values);
  }
  return groups;
}

const METRIC_TEXT: Record<ScoreMetric, string> = {
  test_trial_accuracy: 'trial accuracy',
  test_accuracy: 'accuracy',
  test_loss: 'loss (lower is better)',
};

/** p-values as the table prints them. */
const pText = (p: number | null) =>
  p === null ? '-' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3);

/**
 * A Markdown table of the groups: each strategy's score (see `scoreMetric`), its per-seed
 * paired difference to `random` (mean ± sd over seeds, and the paired t-test's p), and both
 * degree tests.
 */
export function compareTable(groups: CompareGroup[]): string {
  const lines = [
    '| task | backbone | growth | ranked by | score (mean ± sd) | paired Δ vs random (mean ± sd) | paired t-test p | turnover | in-degree (mean ± sd) | in χ² p | out-degree sd | out χ² p | rewiring / training time |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const g of groups) {
    // Accuracies to 3 decimals; losses (often ≪ 1) to 3 significant digits.
    const value = (v: number) => (g.score.higher_is_better ? v.toFixed(3) : v.toPrecision(3));
    const signed = (v: number) => `${v >= 0 ? '+' : ''}${value(v)}`;
    const paired = g.vs_random;
    const delta = paired ? `${signed(paired.mean)} ± ${value(paired.sd)}` : '';
    const share =
      g.train_seconds.mean > 0
        ? `${((100 * g.rewire_seconds.mean) / g.train_seconds.mean).toFixed(1)}%`
        : '-';
    lines.push(
      `| ${g.task} | ${g.backbone} | ${g.growth} | ${METRIC_TEXT[g.score.metric]} | ${value(g.score.mean)} ± ${value(g.score.sd)} | ${delta} | ${paired ? pText(paired.p_value) : ''} | ${Math.round(g.turnover.mean)} | ${g.in_degree.mean.toFixed(1)} ± ${g.in_degree.sd.toFixed(1)} | ${g.in_degree_test_p.median.toPrecision(2)} | ${g.out_degree.sd.toFixed(1)} | ${g.out_degree_test_p.median.toPrecision(2)} | ${share} |`,
    );
  }
  return lines.join('\n') + '\n';
}

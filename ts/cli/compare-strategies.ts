/**
 * Does learning the structure beat random extra synapses? Trains the same network with each
 * growth strategy, over several seeds, with the backbone frozen (only learned synapses, input
 * and readout weights learn) and trainable, and aggregates its score (test or trial accuracy,
 * or test loss), turnover and degrees.
 */
import type { NetworkOptions } from '../options.js';
import type { Task } from '../tasks/index.js';
import type { RunSummary } from '../output/summary.js';
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

/**
 * One group per (task, backbone, strategy): its runs' scores over the seeds (`runs` gives the
 * summaries of a group, in seed order), paired against `random`'s on the same seeds.
 */
export function compareGroups(
  spec: CompareSpec,
  runs: (task: Task, backbone: 'frozen' | 'trainable', growth: string) => RunSummary[],
): CompareGroup[] {
  const groups: CompareGroup[] = [];
  for (const task of spec.tasks) {
    for (const backbone of spec.backbones) {
      for (const growth of spec.strategies) {
        const group = runs(task, backbone, growth);
        const acc = group.map((r) => r.test_accuracy ?? NaN);
        const metric = scoreMetric(task);
        const values = group.map((r) => r[metric] ?? NaN);
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
          turnover: { mean: mean(group.map((r) => r.turnover)) },
          in_degree: {
            mean: mean(group.map((r) => r.in_degree.mean)),
            sd: mean(group.map((r) => r.in_degree.sd)),
          },
          in_degree_test_p: { median: median(group.map((r) => r.in_degree_test.p_value)) },
          out_degree: {
            mean: mean(group.map((r) => r.out_degree.mean)),
            sd: mean(group.map((r) => r.out_degree.sd)),
          },
          out_degree_test_p: { median: median(group.map((r) => r.out_degree_test.p_value)) },
          vs_random: null,
          train_seconds: { mean: mean(group.map((r) => r.train_seconds)) },
          rewire_seconds: { mean: mean(group.map((r) => r.rewire_seconds)) },
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

/**
 * One line per task and backbone: random's score, then each learned strategy's paired Δ and p.
 * Losses are shown relative to random's (−10 % = a tenth lower), accuracies in points.
 */
export function condensedTable(groups: CompareGroup[]): string {
  const strategies = [...new Set(groups.map((g) => g.growth))].filter((g) => g !== 'random');
  const lines = [
    'Paired Δ against random over seeds: accuracies in points, losses relative to random (−10 % =',
    "a tenth lower); the paired t-test's p in brackets.",
    '',
    `| task | backbone | ranked by | random | ${strategies.map((s) => `${s} Δ (p)`).join(' | ')} |`,
    `|---|---|---|---|${strategies.map(() => '---|').join('')}`,
  ];
  for (const random of groups.filter((g) => g.growth === 'random')) {
    const loss = !random.score.higher_is_better;
    const cells = strategies.map((s) => {
      const g = groups.find(
        (x) => x.task === random.task && x.backbone === random.backbone && x.growth === s,
      );
      if (!g?.vs_random) return '';
      const d = g.vs_random!.mean;
      const shown = loss
        ? `${d >= 0 ? '+' : ''}${((100 * d) / random.score.mean).toFixed(1)} %`
        : `${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)}`;
      const p = g.vs_random.p_value;
      return `${shown} (${p === null ? '-' : p.toFixed(3)})`;
    });
    const score = loss ? random.score.mean.toPrecision(3) : random.score.mean.toFixed(3);
    const metric = {
      test_trial_accuracy: 'trial acc.',
      test_accuracy: 'accuracy',
      test_loss: 'loss',
    }[random.score.metric];
    lines.push(
      `| ${random.task} | ${random.backbone} | ${metric} | ${score} | ${cells.join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The comparisons whose paired t-test gives p < 0.05, better and worse than `random` (a lower
 * loss is better), and how many comparisons there were: with many comparisons, some reach
 * p < 0.05 by chance (about 1 in 20 where nothing differs).
 */
export function verdict(groups: CompareGroup[]): string {
  const paired = groups.filter((g) => g.vs_random !== null);
  const sign = (g: CompareGroup) => (g.score.higher_is_better ? 1 : -1) * g.vs_random!.mean;
  const name = (g: CompareGroup) =>
    `${g.task} ${g.backbone} ${g.growth} (${g.vs_random!.p_value!.toFixed(3)})`;
  const significant = paired.filter(
    (g) => g.vs_random!.p_value !== null && g.vs_random!.p_value < 0.05,
  );
  const better = significant.filter((g) => sign(g) > 0).map(name);
  const worse = significant.filter((g) => sign(g) < 0).map(name);
  return [
    `Paired against random, p < 0.05, of ${paired.length} comparisons:`,
    `- better: ${better.length === 0 ? 'none' : better.join(', ')}`,
    `- worse: ${worse.length === 0 ? 'none' : worse.join(', ')}`,
    '',
  ].join('\n');
}

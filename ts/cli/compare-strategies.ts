/**
 * Does learning the structure beat random extra synapses? Trains the same network with each
 * growth strategy, over several seeds, with the backbone frozen (only learned synapses, input
 * and readout weights learn) and trainable, and aggregates test accuracy, turnover and degrees.
 */
import { SparseRNN } from '../model.js';
import type { NetworkOptions } from '../options.js';
import { fit, type FitOptions } from '../train.js';
import type { Task } from '../tasks/index.js';
import { summarize, type RunSummary } from '../output/summary.js';

export interface CompareGroup {
  task: string;
  growth: NetworkOptions['growth'];
  backbone: 'frozen' | 'trainable';
  seeds: number[];
  test_accuracy: { mean: number; sd: number; values: number[] };
  turnover: { mean: number };
  in_degree: { mean: number; sd: number };
  in_degree_test_p: { median: number };
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
    growth: CompareGroup['growth'],
    frozen: boolean,
  ) => NetworkOptions;
  fit: FitOptions;
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
          const history = await fit(net, task.train, spec.fit);
          runs.push(summarize(net, task, history));
          onRun(runs[runs.length - 1], ++index, total);
        }
        const acc = runs.map((r) => r.test_accuracy ?? NaN);
        groups.push({
          task: task.name,
          growth,
          backbone,
          seeds: spec.seeds,
          test_accuracy: { mean: mean(acc), sd: sd(acc), values: acc },
          turnover: { mean: mean(runs.map((r) => r.turnover)) },
          in_degree: {
            mean: mean(runs.map((r) => r.in_degree.mean)),
            sd: mean(runs.map((r) => r.in_degree.sd)),
          },
          in_degree_test_p: { median: median(runs.map((r) => r.in_degree_test.p_value)) },
          train_seconds: { mean: mean(runs.map((r) => r.train_seconds)) },
          rewire_seconds: { mean: mean(runs.map((r) => r.rewire_seconds)) },
        });
      }
    }
  }
  return groups;
}

/** A Markdown table of the groups, with each strategy's difference to `random` in sd units. */
export function compareTable(groups: CompareGroup[]): string {
  const lines = [
    '| task | backbone | growth | test accuracy (mean ± sd) | vs random | turnover | in-degree (mean ± sd) | χ² p (median) | rewiring / training time |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const g of groups) {
    const random = groups.find(
      (r) => r.task === g.task && r.backbone === g.backbone && r.growth === 'random',
    );
    const diff =
      random && g.growth !== 'random' ? g.test_accuracy.mean - random.test_accuracy.mean : null;
    const spread = random ? Math.max(random.test_accuracy.sd, g.test_accuracy.sd) : 0;
    const verdict =
      diff === null
        ? ''
        : `${diff >= 0 ? '+' : ''}${diff.toFixed(3)}${spread > 0 ? ` (${(diff / spread).toFixed(1)} sd)` : ''}`;
    const share =
      g.train_seconds.mean > 0
        ? `${((100 * g.rewire_seconds.mean) / g.train_seconds.mean).toFixed(1)}%`
        : '-';
    lines.push(
      `| ${g.task} | ${g.backbone} | ${g.growth} | ${g.test_accuracy.mean.toFixed(3)} ± ${g.test_accuracy.sd.toFixed(3)} | ${verdict} | ${Math.round(g.turnover.mean)} | ${g.in_degree.mean.toFixed(1)} ± ${g.in_degree.sd.toFixed(1)} | ${g.in_degree_test_p.median.toPrecision(2)} | ${share} |`,
    );
  }
  return lines.join('\n') + '\n';
}

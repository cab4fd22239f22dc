/** `sqrtk compare`: every growth strategy × backbone setting × seed; writes compare.json and compare.md. */
import { compareStrategies, compareTable } from './compare-strategies.js';
import { fitOptions, networkOptions, type ModelCommandOptions } from './train.js';
import { optionError } from '../errors.js';
import { GROWTH_STRATEGIES, resolveNetworkOptions } from '../options.js';
import { resolveFitOptions } from '../train.js';
import { RunDirectory } from './run-dir.js';
import { writeFileAtomic } from '../node/atomic.js';
import { loadTask } from '../tasks/index.js';
import type { RunSummary } from '../output/summary.js';

type Growth = (typeof GROWTH_STRATEGIES)[number];

/** A schedule flag of `compare`: `*` for every strategy, or a value by strategy (main.ts). */
export type PerStrategy = Partial<Record<Growth | '*', number>>;

export interface CompareCommandOptions extends Omit<
  ModelCommandOptions,
  'rewireEvery' | 'rewireUntil'
> {
  rewireEvery?: PerStrategy;
  rewireUntil?: PerStrategy;
  task?: string[];
  strategies: string;
  backbones: string;
  seeds: number;
  out: string;
}

function list<T extends string>(option: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw optionError(option, item, `is not one of ${allowed.join(', ')}`, 'pick from those');
  }
  return items as T[];
}

/** A run's test result as the progress line prints it. */
function scoreText(run: RunSummary): string {
  if (run.test_accuracy === null) return `test loss ${run.test_loss.toPrecision(4)}`;
  const trial = run.test_trial_accuracy;
  return trial !== null && trial !== run.test_accuracy
    ? `test accuracy ${run.test_accuracy.toFixed(4)} (trials ${trial.toFixed(4)})`
    : `test accuracy ${run.test_accuracy.toFixed(4)}`;
}

export async function compareRun(o: CompareCommandOptions): Promise<void> {
  if (o.seeds < 1) throw optionError('seeds', o.seeds, 'must be at least 1', 'use e.g. --seeds 3');
  const tasks = (o.task ?? ['digits', 'dms']).map((name) => loadTask(name));
  const strategies = list('strategies', o.strategies, GROWTH_STRATEGIES);
  const backbones = list('backbones', o.backbones, ['frozen', 'trainable'] as const);
  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  /** The train options of one strategy: its own schedule values where given, else `*`'s. */
  const model = (growth: Growth): ModelCommandOptions => ({
    ...o,
    growth,
    rewireEvery: o.rewireEvery?.[growth] ?? o.rewireEvery?.['*'],
    rewireUntil: o.rewireUntil?.[growth] ?? o.rewireUntil?.['*'],
  });
  // Every setting is checked before anything is written.
  const fit = Object.fromEntries(
    strategies.map((growth) => [growth, resolveFitOptions(fitOptions(model(growth)), growth)]),
  );
  for (const task of tasks)
    for (const growth of strategies)
      resolveNetworkOptions(networkOptions(task, model(growth), seeds[0]));
  const out = new RunDirectory(o.out);
  const started = performance.now();
  const groups = await compareStrategies(
    {
      tasks,
      strategies,
      backbones,
      seeds,
      network: (task, seed, growth, frozen) =>
        networkOptions(task, { ...model(growth), frozenBackbone: frozen }, seed),
      fit: (growth) => fitOptions(model(growth)),
    },
    (run, index, total) => {
      const backbone = run.train_backbone ? 'trainable' : 'frozen';
      console.error(
        `[${index}/${total}] ${run.task} ${backbone} ${run.growth} seed ${run.seed}: ${scoreText(run)}, turnover ${run.turnover}`,
      );
    },
  );
  const settings = {
    neurons: o.neurons,
    k: o.k,
    learned: o.learned ?? Math.round(Math.sqrt(o.k)),
    /** The fit options each strategy trained with, defaults filled in. */
    fit,
    seeds,
  };
  out.writeJson('compare.json', {
    settings,
    tasks: tasks.map((t) => ({ name: t.name, description: t.description })),
    groups,
    seconds: (performance.now() - started) / 1000,
  });
  const table = compareTable(groups);
  writeFileAtomic(`${out.path}/compare.md`, table);
  console.log(table);
  console.log(`wrote ${out.path}/compare.json and compare.md`);
}

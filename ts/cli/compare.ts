/** `sqrtk compare`: every growth strategy × backbone setting × seed; writes compare.json and compare.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareGroups, compareTable, condensedTable, verdict } from './compare-strategies.js';
import { fitOptions, networkOptions, type ModelCommandOptions } from './train.js';
import type { ScheduleCommandOptions } from './selection.js';
import { resolveFitOptions } from '../train.js';
import { optionError, SqrtkError } from '../errors.js';
import { GROWTH_STRATEGIES, resolveNetworkOptions } from '../options.js';
import { planManifest, type Manifest, type Options, type Sweep, type Trial } from './sweep/plan.js';
import { planCommand, runSweep } from './sweep/index.js';
import { RunDirectory } from './run-dir.js';
import { writeFileAtomic } from '../node/atomic.js';
import { loadTask } from '../tasks/index.js';
import type { RunSummary } from '../output/summary.js';

type Growth = (typeof GROWTH_STRATEGIES)[number];

/** A schedule flag of `compare`: `*` for every strategy, or a value by strategy (main.ts). */
export type PerStrategy = Partial<Record<Growth | '*', number>>;

export interface CompareCommandOptions
  extends Omit<ModelCommandOptions, 'rewireEvery' | 'rewireUntil'>, ScheduleCommandOptions {
  rewireEvery?: PerStrategy;
  rewireUntil?: PerStrategy;
  task?: string[];
  strategies: string;
  backbones: string;
  seeds: number;
  out: string;
  /** Runs at once, each in its own process (default 1). */
  jobs?: number;
}

function list<T extends string>(option: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw optionError(option, item, `is not one of ${allowed.join(', ')}`, 'pick from those');
    if (items.indexOf(item) !== items.lastIndexOf(item))
      throw optionError(option, value, `lists ${item} twice`, 'list each once');
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

/** The tasks `compare` trains on without --task. */
const DEFAULT_TASKS = ['digits', 'dms'];

/** The model flags of `compare` as a manifest's options (the API's names), unset ones left out. */
const MODEL_KEYS = [
  'neurons',
  'k',
  'learned',
  'epochs',
  'batchSize',
  'lr',
  'dynamics',
  'activation',
  'gain',
  'noise',
  'initialState',
  'mode',
  'rewireFraction',
  'rewireBatch',
  'excitatory',
  'dale',
  'scaling',
  'blocks',
  'couplings',
  'maxLearnedOut',
  'lrSchedule',
  'warmup',
  'lrStepEvery',
  'lrFactor',
  'minLr',
  'lrPatience',
  'earlyStop',
  'keepBest',
  'monitor',
  'validationFraction',
] as const;

/** The train options of one strategy: its own schedule values where given, else `*`'s. */
function modelFor(o: CompareCommandOptions, growth: Growth): ModelCommandOptions {
  return {
    ...o,
    growth,
    rewireEvery: o.rewireEvery?.[growth] ?? o.rewireEvery?.['*'],
    rewireUntil: o.rewireUntil?.[growth] ?? o.rewireUntil?.['*'],
  };
}

/**
 * The manifest `compare` runs: every task × backbone × strategy × seed, with each strategy's
 * schedule (its own values where given, else `*`'s, else its default), `random` the baseline.
 */
export function compareManifest(
  o: CompareCommandOptions,
  strategies: Growth[],
  backbones: ('frozen' | 'trainable')[],
): Manifest {
  const base: Options = {};
  for (const key of MODEL_KEYS) if (o[key] !== undefined) base[key] = o[key];
  const variations = strategies.map((growth) => {
    const { rewireEvery: every, rewireUntil: until } = modelFor(o, growth);
    return {
      growth,
      ...(every !== undefined && { rewireEvery: every }),
      ...(until !== undefined && { rewireUntil: until }),
    };
  });
  return {
    base,
    grid: {
      task: o.task ?? DEFAULT_TASKS,
      trainBackbone: backbones.map((b) => b === 'trainable'),
    },
    variations,
    seeds: Array.from({ length: o.seeds }, (_, i) => i + 1),
    ...(strategies.includes('random') && { baseline: { growth: 'random' } }),
  };
}

/**
 * `sqrtk compare`: a preset sweep (compareManifest) planned into --out (manifest.json,
 * sweep.json, trials/), run `--jobs` trials at a time, then summarised per task, backbone and
 * strategy into compare.json and compare.md. Stopped, it goes on from where it was when run
 * again with the same flags.
 */
export async function compareRun(o: CompareCommandOptions): Promise<void> {
  if (o.seeds < 1) throw optionError('seeds', o.seeds, 'must be at least 1', 'use e.g. --seeds 3');
  const tasks = (o.task ?? DEFAULT_TASKS).map((name) => loadTask(name));
  const strategies = list('strategies', o.strategies, GROWTH_STRATEGIES);
  const backbones = list('backbones', o.backbones, ['frozen', 'trainable'] as const);
  // Every setting is checked before anything is written, first in the flags' words.
  for (const growth of strategies) {
    const model = modelFor(o, growth);
    resolveFitOptions(fitOptions(model), growth);
    for (const task of tasks) resolveNetworkOptions(networkOptions(task, model, 1));
  }
  const manifest = compareManifest(o, strategies, backbones);
  const file = join(o.out, 'manifest.json');
  let sweep: Sweep;
  try {
    sweep = await planManifest(manifest, file, process.cwd());
  } catch (e) {
    // The planner names options as a manifest does; here they were flags (inFlags restores them).
    const asWritten = e instanceof SqrtkError && (e as { asWritten?: boolean }).asWritten;
    if (!asWritten) throw e;
    throw new SqrtkError(e.code, e.message.replace(/^.*?: trial \d+ \(.*?\): /, ''));
  }
  const out = new RunDirectory(o.out);
  try {
    await planCommand(file, o.out, sweep);
  } catch (e) {
    if (!(e instanceof SqrtkError) || e.code !== 'E_BUSY') throw e;
    throw new SqrtkError(
      'E_BUSY',
      `--out (=${JSON.stringify(o.out)}) holds a comparison made with other flags; run it with those (its manifest.json records them) to go on, or choose another --out`,
    );
  }
  out.writeJson('manifest.json', manifest); // only once the plan is the one in --out
  const started = performance.now();
  const trialOf = (task: string, backbone: string, growth: string, seed: number) =>
    sweep.trials.find(
      (t) =>
        t.options.task === task &&
        t.options.trainBackbone === (backbone === 'trainable') &&
        t.options.growth === growth &&
        t.options.seed === seed,
    )!;
  const summary = (t: Trial) =>
    JSON.parse(readFileSync(join(o.out, t.dir, 'summary.json'), 'utf8')) as RunSummary;
  const total = sweep.trials.length;
  const counts = await runSweep(o.out, { jobs: o.jobs, threads: o.threads }, (trial, c) => {
    const run = summary(trial);
    const backbone = run.train_backbone ? 'trainable' : 'frozen';
    console.error(
      `[${c.done}/${total}] ${run.task} ${backbone} ${run.growth} seed ${run.seed}: ${scoreText(run)}, turnover ${run.turnover}`,
    );
  });
  if (counts.failed > 0)
    throw new SqrtkError(
      'E_RUN',
      `${counts.failed} of ${total} runs failed; see sqrtk sweep status ${o.out}, then run the same sqrtk compare again to retry them`,
    );
  if (counts.left > 0)
    throw new SqrtkError(
      'E_BUSY',
      `${counts.left} of ${total} runs are being run by another process; when it has finished, run the same sqrtk compare again`,
    );
  const seeds = manifest.seeds!;
  const groups = compareGroups({ tasks, strategies, backbones, seeds }, (task, backbone, growth) =>
    seeds.map((seed) => summary(trialOf(task.name, backbone, growth, seed))),
  );
  const fitOf = (growth: string) => sweep.trials.find((t) => t.options.growth === growth)!.fit;
  const settings = {
    neurons: o.neurons,
    k: o.k,
    learned: o.learned ?? Math.round(Math.sqrt(o.k)),
    /** The fit options each strategy trained with, defaults filled in. */
    fit: Object.fromEntries(strategies.map((g) => [g, fitOf(g)])),
    seeds,
  };
  out.writeJson('compare.json', {
    settings,
    tasks: tasks.map((t) => ({ name: t.name, description: t.description })),
    groups,
    seconds: (performance.now() - started) / 1000,
  });
  const table = `${compareTable(groups)}\n${condensedTable(groups)}\n${verdict(groups)}`;
  writeFileAtomic(`${out.path}/compare.md`, table);
  console.log(table);
  console.log(`wrote ${out.path}/compare.json and compare.md (the runs: ${out.path}/trials)`);
}

/**
 * `sqrtk sweep report DIR`: per configuration (the trials that differ only by seed), mean ± sd,
 * median, min and max of every summary metric over seeds; each configuration against the
 * baseline over their shared seeds (paired differences, their sd, a two-sided paired t-test);
 * written as DIR/report.json, report.md, report.csv and report.html.
 *
 * Only results go in, never times or run ids: every trial is bit-reproducible, so the report of
 * a sweep is the same bytes however, wherever and in how many pieces it ran.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../node/atomic.js';
import { pairedTest, type PairedTest } from '../../output/paired.js';
import { dotChart } from '../../output/svg.js';
import type { RunSummary } from '../../output/summary.js';
import { canonical, describe, matches, type Options, type Sweep, type Trial } from './plan.js';
import { readSweep, trialState } from './run.js';

/** The summary metrics a report aggregates, by the name it gives them. */
const METRICS: [string, (s: RunSummary) => number | null][] = [
  ['test_accuracy', (s) => s.test_accuracy],
  ['test_trial_accuracy', (s) => s.test_trial_accuracy],
  ['test_loss', (s) => s.test_loss],
  ['best_value', (s) => s.best_value],
  ['epochs_run', (s) => s.epochs_run],
  ['rewires', (s) => s.rewires],
  ['turnover', (s) => s.turnover],
  ['in_degree_sd', (s) => s.in_degree.sd],
  ['in_degree_test_p', (s) => s.in_degree_test.p_value],
  ['out_degree_sd', (s) => s.out_degree.sd],
  ['out_degree_test_p', (s) => s.out_degree_test.p_value],
  ['learned_out_degree_max', (s) => s.learned_out_degree.max],
];
/** The metrics compared with the baseline (results, not structure). */
const COMPARED = ['test_accuracy', 'test_trial_accuracy', 'test_loss', 'best_value'];

export interface Aggregate {
  n: number;
  mean: number;
  sd: number;
  median: number;
  min: number;
  max: number;
  /** One value per seed, in the order of `seeds` (null where a seed has none, e.g. a NaN loss). */
  values: (number | null)[];
}

export interface ConfigurationReport {
  /** The options that tell configurations apart (the sweep's varying options, seed left out). */
  options: Options;
  seeds: number[];
  /** Indices of its trials that have not finished (missing from the aggregates). */
  unfinished: number[];
  metrics: Record<string, Aggregate>;
}

export interface Comparison {
  options: Options;
  baseline: Options;
  metric: string;
  test: PairedTest;
}

export interface SweepReport {
  trials: number;
  done: number;
  baseline: Options | null;
  configurations: ConfigurationReport[];
  comparisons: Comparison[];
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
/** Statistics over the finite values; `values` keeps one entry per seed (null: none there). */
export function aggregate(all: (number | null)[]): Aggregate {
  const values = all.filter((v): v is number => v !== null && Number.isFinite(v));
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(values);
  const sd =
    values.length < 2
      ? 0
      : Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const kept = all.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  return {
    n: values.length,
    mean: m,
    sd,
    median,
    min: sorted[0],
    max: sorted.at(-1)!,
    values: kept,
  };
}

function readSummary(dir: string, trial: Trial): RunSummary {
  return JSON.parse(readFileSync(join(dir, trial.dir, 'summary.json'), 'utf8')) as RunSummary;
}

/** The report of the sweep in `dir`, from the trials that have finished. */
export function buildSweepReport(dir: string, sweep: Sweep = readSweep(dir)): SweepReport {
  const keys = sweep.varying.filter((k) => k !== 'seed');
  const shown = (o: Options) => Object.fromEntries(keys.map((k) => [k, o[k]]));
  const groups = new Map<string, Trial[]>();
  for (const t of sweep.trials) groups.set(t.config, [...(groups.get(t.config) ?? []), t]);
  let done = 0;
  /** Whether a configuration is the baseline: judged on all its options, not only the shown ones. */
  const baselines = new Set<ConfigurationReport>();
  const configurations = [...groups.values()].map((trials): ConfigurationReport => {
    const finished = trials.filter((t) => trialState(dir, t) === 'done');
    done += finished.length;
    const summaries = finished.map((t) => readSummary(dir, t));
    const metrics: Record<string, Aggregate> = {};
    for (const [name, get] of METRICS) {
      const values = summaries.map(get);
      if (values.some((v) => v !== null && Number.isFinite(v))) metrics[name] = aggregate(values);
    }
    // With one label per sequence, a trial is one step: its accuracy says nothing new.
    const trial = metrics.test_trial_accuracy;
    if (trial && canonical(trial.values) === canonical(metrics.test_accuracy?.values))
      delete metrics.test_trial_accuracy;
    const report = {
      options: shown(trials[0].options),
      seeds: finished.map((t) => t.options.seed as number),
      unfinished: trials.filter((t) => !finished.includes(t)).map((t) => t.index),
      metrics,
    };
    if (sweep.baseline && matches(trials[0].options, sweep.baseline)) baselines.add(report);
    return report;
  });
  const comparisons: Comparison[] = [];
  const baseline = sweep.baseline;
  if (baseline !== null) {
    // A configuration's baseline: the same options, with the baseline's values where it names
    // them (e.g. growth=sampled k=4 → growth=random k=4).
    const named = Object.fromEntries(Object.entries(baseline).filter(([k]) => keys.includes(k)));
    for (const c of configurations) {
      if (baselines.has(c)) continue;
      const target = canonical({ ...c.options, ...named });
      const b = [...baselines].find((x) => canonical(x.options) === target);
      if (b === undefined) continue;
      const shared = c.seeds.filter((s) => b.seeds.includes(s));
      for (const metric of COMPARED) {
        if (!c.metrics[metric] || !b.metrics[metric] || shared.length === 0) continue;
        // A seed without a value pairs as NaN: the paired test leaves it out.
        const at = (x: ConfigurationReport, s: number) =>
          x.metrics[metric].values[x.seeds.indexOf(s)] ?? NaN;
        const test = pairedTest(
          shared.map((s) => at(b, s)),
          shared.map((s) => at(c, s)),
        );
        comparisons.push({ options: c.options, baseline: b.options, metric, test });
      }
    }
  }
  return { trials: sweep.trials.length, done, baseline, configurations, comparisons };
}

/** Numbers as people read them: 3 significant digits (the JSON and CSV keep them all). */
const num = (v: number) => (Number.isInteger(v) ? String(v) : String(+v.toPrecision(3)));
const pText = (p: number | null) =>
  p === null ? '-' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
const label = (o: Options) => describe(o) || 'all trials';

export function reportMarkdown(r: SweepReport): string {
  const names = METRICS.map(([n]) => n).filter((n) => r.configurations.some((c) => c.metrics[n]));
  const main = names.filter((n) => COMPARED.includes(n) || n === 'turnover');
  const lines = [
    `# Sweep report`,
    '',
    `${r.done} of ${r.trials} trials finished${r.baseline ? `; baseline ${label(r.baseline)}` : ''}. Mean ± sd over seeds (n seeds).`,
    '',
    `| configuration | n |${main.map((n) => ` ${n} |`).join('')}`,
    `|---|---|${main.map(() => '---|').join('')}`,
    ...r.configurations.map((c) => {
      const cells = main.map((n) => {
        const a = c.metrics[n];
        return a ? `${num(a.mean)} ± ${num(a.sd)}` : '';
      });
      return `| ${label(c.options)} | ${c.seeds.length} |${cells.map((x) => ` ${x} |`).join('')}`;
    }),
  ];
  if (r.comparisons.length > 0) {
    lines.push(
      '',
      '## Against the baseline, paired by seed',
      '',
      'Δ = configuration − baseline on the same seed; two-sided paired t-test.',
      '',
      '| configuration | metric | n | Δ mean ± sd | p |',
      '|---|---|---|---|---|',
      ...r.comparisons.map(
        (c) =>
          `| ${label(c.options)} | ${c.metric} | ${c.test.n} | ${num(c.test.mean)} ± ${num(c.test.sd)} | ${pText(c.test.p_value)} |`,
      ),
    );
  }
  lines.push('', 'Every metric (median, min, max too) is in report.csv and report.json.');
  return lines.join('\n') + '\n';
}

const csvCell = (v: unknown) => {
  const text = typeof v === 'object' && v !== null ? canonical(v) : String(v ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function reportCsv(r: SweepReport): string {
  const keys = [...new Set(r.configurations.flatMap((c) => Object.keys(c.options)))];
  const header = [...keys, 'metric', 'n', 'mean', 'sd', 'median', 'min', 'max'];
  const rows = r.configurations.flatMap((c) =>
    Object.entries(c.metrics).map(([metric, a]) =>
      [...keys.map((k) => c.options[k]), metric, a.n, a.mean, a.sd, a.median, a.min, a.max]
        .map(csvCell)
        .join(','),
    ),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained page: the tables, and per metric the seeds of every configuration. */
export function reportHtml(r: SweepReport, markdown: string): string {
  const plotted = [
    'test_accuracy',
    'test_trial_accuracy',
    'test_loss',
    'in_degree_test_p',
    'out_degree_test_p',
  ];
  const charts = plotted
    .filter((m) => r.configurations.some((c) => c.metrics[m]))
    .map((m) =>
      dotChart(
        m.replace(/_/g, ' '),
        m.endsWith('_p') ? 'χ² p-value' : m.replace(/_/g, ' '),
        r.configurations.map((c) => ({
          label: label(c.options),
          values: (c.metrics[m]?.values ?? []).filter((v): v is number => v !== null),
        })),
      ),
    );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sqrtk sweep report</title>
<style>body{font:14px system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}
svg{margin:0.5em 0.5em 0 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}</style></head>
<body><h1>Sweep report</h1>
<p>One point per seed, the bar at the mean.</p>
${charts.join('\n')}
<pre>${escape(markdown)}</pre>
</body></html>
`;
}

/** Writes DIR/report.{json,md,csv,html}; returns the paths. */
export function writeSweepReport(dir: string): { files: string[]; markdown: string } {
  const report = buildSweepReport(dir);
  const markdown = reportMarkdown(report);
  const files: [string, string][] = [
    ['report.json', JSON.stringify(report, null, 2) + '\n'],
    ['report.md', markdown],
    ['report.csv', reportCsv(report)],
    ['report.html', reportHtml(report, markdown)],
  ];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return { files: files.map(([name]) => join(dir, name)), markdown };
}

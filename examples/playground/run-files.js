// The files of a run, written the way `sqrtk train --out DIR` writes them (ts/cli/train.ts),
// so that `sqrtk report DIR` and `sqrtk export DIR` work on a run trained in this page.
// summary.json and metrics.jsonl come from the library's own summarize() and metricsLine();
// a test compares the files with the CLI's for the same configuration.
import { buildReport, metricsLine, SparseRNN, summarize } from '../../dist/browser.js';
import { zip } from './zip.js';

const json = (value) => JSON.stringify(value, null, 2) + '\n';
const text = (s) => new TextEncoder().encode(s);

/**
 * config.json as the CLI writes it. `cli` holds the flags' values under commander's names;
 * `--out` is the directory name the run downloads as.
 */
export function configJson({ runId, task, files, net, history, threads, cli }) {
  return {
    run_id: runId,
    task: { name: task.name, description: task.description, options: task.options },
    ...(files.length > 0 && { data: files }),
    network: net.config,
    fit: history.options,
    validation: null,
    curriculum: null,
    threads,
    cli,
  };
}

/** The first `n` sequences of `data` (labels, targets and mask too), as trials.ts takes them. */
export function firstTrials(data, n) {
  const [b, t, d] = data.shape;
  const count = Math.min(n, b);
  const out = { x: data.x.slice(0, count * t * d), shape: [count, t, d] };
  if (data.labels) out.labels = data.labels.slice(0, data.labels.length === b ? count : count * t);
  if (data.targets) out.targets = data.targets.slice(0, (data.targets.length / b) * count);
  if (data.mask) out.mask = data.mask.slice(0, count * t);
  return out;
}

/**
 * report.html as `sqrtk report DIR` writes it (ts/cli/tools.ts): from the saved network and the
 * run's JSON files read back, with the task's first test trials (built-in tasks only).
 */
export function reportHtml({ dir, model, metrics, rewires, summary, task, builtIn }) {
  const net = SparseRNN.load(model); // as the CLI reads model.sqrtk
  try {
    return buildReport({
      title: `sqrtk run: ${dir}`,
      net,
      metrics: JSON.parse(JSON.stringify(metrics)),
      rewires: JSON.parse(JSON.stringify(rewires)),
      sample: builtIn
        ? {
            x: task.test.x.slice(0, 4 * task.test.shape[1] * task.test.shape[2]),
            shape: [4, ...task.test.shape.slice(1)],
          }
        : undefined,
      examples: builtIn ? { task: task.name, trials: firstTrials(task.test, 2) } : undefined,
      summary: JSON.parse(JSON.stringify(summary)),
    });
  } finally {
    net.free();
  }
}

/** Every file of the run directory, by name. */
export function runFiles(run) {
  const model = run.net.save({ fit: null, run_id: run.runId }); // model.sqrtk keeps the run id
  const summary = summarize(run.net, run.task, run.history);
  const metrics = run.history.epochs.map((record) => metricsLine(record));
  const files = {
    'config.json': text(json(configJson(run))),
    'metrics.jsonl': text(metrics.map((m) => JSON.stringify(m)).join('\n') + '\n'),
    'summary.json': text(json(summary)),
    'rewires.json': text(json(run.history.rewires)),
    'model.sqrtk': model,
  };
  const html = reportHtml({
    dir: run.dir,
    model,
    metrics,
    rewires: run.history.rewires,
    summary,
    task: run.task,
    builtIn: !run.files.length,
  });
  files['report.html'] = text(html);
  return files;
}

/** The run directory as one zip (DIR/config.json, …): unzip it and run `sqrtk report DIR`. */
export function runZip(run) {
  const files = runFiles(run);
  return zip(
    Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`${run.dir}/${name}`, bytes])),
  );
}

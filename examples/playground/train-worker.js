// The training runs here, in a Worker, so the page never freezes: a page's main thread may not
// block, and the threaded build must (it waits for its helper threads). init() picks the
// threaded build when the page is cross-origin isolated, else the single-threaded one; a seed
// gives the same network either way. One worker trains one run: a new run gets a new worker.
//
// Messages in:  { type: 'start', config, file? }, { type: 'stop' }, { type: 'resume' },
//               { type: 'download', what }
// Messages out: 'ready', 'snapshot' (live charts), 'epoch', 'stopped', 'done', 'error', 'file'
import {
  init,
  loadDataset,
  loadTask,
  SparseRNN,
  splitDataset,
  standardize,
  threadCount,
  fit,
  exportNetwork,
  taskInfo,
} from '../../dist/browser.js';
import { FIELDS, DATA_FIELDS, parseValue, parseTaskOption } from './config.js';
import { takeSnapshot } from './snapshot.js';
import { runFiles, runZip } from './run-files.js';

const SNAPSHOT_EVERY_MS = 250;
const post = (message, transfer) => self.postMessage(message, transfer ?? []);

/** The one run this worker trains: the network, its data, its options and where fit stopped. */
let run = null;
let controller = null;
/** Stop pressed before fit started (while the core loads): fit stops at its first batch. */
let stopRequested = false;

/** `sqrtk train`'s defaults where the API's differ, for fields left empty (as the CLI would). */
const CLI_DEFAULTS = { neurons: 1000, k: 100, epochs: 20 };

self.onmessage = async ({ data: message }) => {
  try {
    if (message.type === 'start') await start(message.config, message.file);
    else if (message.type === 'stop') {
      if (controller) controller.abort();
      else stopRequested = true; // fit has not started yet
    } else if (message.type === 'resume') await train(run.stoppedAt);
    else if (message.type === 'download') download(message.what);
  } catch (error) {
    post({ type: 'error', message: error.message, code: error.code ?? null });
  }
};

/** The form's texts as typed values, by field id. */
function values(config) {
  const out = {};
  for (const field of [...FIELDS, ...DATA_FIELDS])
    out[field.id] = parseValue(field, config.fields[field.id] ?? '') ?? CLI_DEFAULTS[field.id];
  return out;
}

async function start(config, file) {
  stopRequested = false;
  const v = values(config);
  await init(v.threads === undefined ? {} : { threads: v.threads });
  post({ type: 'ready', threads: threadCount(), isolated: self.crossOriginIsolated === true });
  const { task, files } = file ? await fileTask(file, v) : { task: builtInTask(config), files: [] };
  const net = new SparseRNN({
    inputs: task.inputs,
    outputs: task.outputs,
    loss: task.loss,
    neurons: v.neurons,
    k: v.k,
    learned: v.learned,
    growth: v.growth,
    mode: v.mode,
    excitatory: v.excitatory,
    dale: v.dale,
    seed: v.seed,
  });
  const dir = 'playground-run';
  run = {
    net,
    task,
    files,
    dir,
    runId: crypto.randomUUID(),
    history: null,
    stoppedAt: undefined,
    values: v,
    cli: cliOptions(config, v, file, dir),
  };
  run.trials = firstTrial(task.test);
  await train(undefined);
}

/** A built-in task with the options of the form (texts typed by the options' defaults). */
function builtInTask(config) {
  const defaults = taskInfo(config.task).options;
  const options = {};
  for (const [key, text] of Object.entries(config.taskOptions))
    options[key] = key in defaults ? parseTaskOption(defaults[key], text) : text;
  return loadTask(config.task, options);
}

/** Your file as a task, as `sqrtk train --data FILE` makes it (ts/cli/data-task.ts). */
async function fileTask(file, v) {
  const bytes = new Uint8Array(file.bytes);
  const loaded = await loadDataset(bytes, { name: file.name });
  if (!loaded.data.labels && !loaded.data.targets)
    throw Object.assign(
      new Error(
        `${file.name}: holds inputs only; save labels [B] or targets [B, T, O] with x (np.savez(path, x=x, labels=labels))`,
      ),
      { code: 'E_DATA' },
    );
  const loss = loaded.data.labels ? 'cross_entropy' : 'mse';
  let parts = splitDataset(loaded.data, { test: v['test-fraction'] ?? 0.2, seed: v.seed ?? 0 });
  if (v.standardize) {
    const scaled = standardize(parts.train, parts.test);
    parts = { train: scaled.train, test: scaled.test ?? parts.test };
  }
  const [sequences, steps, inputs] = loaded.data.shape;
  const outputs = loaded.outputs;
  const description =
    `${file.name}: ${sequences} sequences of ${steps} steps, ${inputs} inputs, ` +
    (loss === 'mse' ? `${outputs} targets per step` : `${outputs} classes`) +
    `; ${parts.test.shape[0]} held out for testing` +
    (v.standardize ? '; inputs standardized with the training set' : '');
  const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  const files = [{ role: 'train', path: file.name, bytes: bytes.length, sha256: sha }];
  return {
    task: { name: file.name, description, ...parts, inputs, outputs, loss },
    files,
    notes: loaded.notes,
  };
}

/** The first test trial, for the live "example trial" chart. */
function firstTrial(test) {
  const [, t, d] = test.shape;
  const one = { x: test.x.slice(0, t * d), shape: [1, t, d] };
  if (test.labels) one.labels = test.labels.slice(0, test.labels.length === test.shape[0] ? 1 : t);
  if (test.targets) one.targets = test.targets.slice(0, test.targets.length / test.shape[0]);
  if (test.mask) one.mask = test.mask.slice(0, t);
  return one;
}

/**
 * Trains (or, with `resume`, continues) the run. The CLI's defaults apply: train on task.train,
 * evaluate every epoch on task.test, no validation split. `checkpointEvery` is set only so that
 * an abort hands over fit's position (onCheckpoint), from which Resume continues exactly.
 */
async function train(resume) {
  const { net, task, values: v } = run;
  controller = new AbortController();
  if (stopRequested) controller.abort(); // pressed while the core was loading
  stopRequested = false;
  let last = 0;
  const losses = [];
  const rewires = []; // { step, swapped } of each rewiring since the last snapshot
  let counts = net.rewireCounts();
  post({ type: 'training', resumed: resume !== undefined });
  try {
    run.history = await fit(net, task.train, {
      epochs: v.epochs,
      batchSize: v['batch-size'],
      lr: v.lr,
      rewireEvery: v['rewire-every'],
      validation: task.test,
      resume,
      signal: controller.signal,
      checkpointEvery: 2 ** 31, // never due: only the abort calls onCheckpoint
      onCheckpoint: (state) => (run.stoppedAt = state),
      onProgress: (e) => {
        if (e.type === 'batch') {
          losses.push([net.steps, e.loss]);
          const now = net.rewireCounts();
          if (now.rewires > counts.rewires)
            rewires.push({ step: net.steps, swapped: now.turnover - counts.turnover });
          counts = now;
          if (performance.now() - last < SNAPSHOT_EVERY_MS) return;
          last = performance.now();
          post({
            type: 'snapshot',
            progress: e,
            losses: losses.splice(0),
            rewires: rewires.splice(0),
            ...takeSnapshot(net, run.trials),
          });
        } else post({ type: 'epoch', record: e.record, epochs: e.epochs });
      },
    });
  } catch (error) {
    if (error.code !== 'E_ABORTED') throw error;
    post({
      type: 'snapshot',
      losses: losses.splice(0),
      rewires: rewires.splice(0),
      ...takeSnapshot(net, run.trials),
    });
    post({ type: 'stopped', epoch: error.epoch, step: error.step });
    return;
  }
  post({
    type: 'snapshot',
    losses: losses.splice(0),
    rewires: rewires.splice(0),
    ...takeSnapshot(net, run.trials),
  });
  const summary = runFiles({ ...run, threads: threadCount() })['summary.json'];
  post({ type: 'done', summary: JSON.parse(new TextDecoder().decode(summary)) });
}

/**
 * config.json's `cli` block: the `sqrtk train` flags (commander's names) that make this run,
 * the defaulted ones first as commander lists them, then the ones given.
 */
function cliOptions(config, v, file, dir) {
  const cli = {
    neurons: v.neurons ?? 1000,
    k: v.k ?? 100,
    epochs: v.epochs ?? 20,
    batchSize: v['batch-size'] ?? 32,
    lr: v.lr ?? 0.002,
    dynamics: 'discrete',
    activation: 'tanh',
    gain: 1,
    noise: 0,
    initialState: 'zero',
    growth: v.growth ?? 'random',
    mode: v.mode ?? 'add',
    rewireFraction: 0.3,
    rewireBatch: 256,
    task: file ? undefined : config.task,
    seed: v.seed ?? 0,
  };
  const given = {
    learned: v.learned,
    rewireEvery: v['rewire-every'],
    excitatory: v.excitatory,
    dale: v.dale,
    threads: v.threads,
  };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) cli[key] = value;
  const pairs = Object.entries(config.taskOptions).map(([key, text]) => `${key}=${text}`);
  if (!file && pairs.length > 0) cli.taskOption = pairs;
  if (file)
    Object.assign(cli, {
      data: file.name,
      testFraction: v['test-fraction'],
      standardize: v.standardize,
    });
  cli.out = dir;
  return cli;
}

/** A file to download: the network in one format, the run directory (zip) or the report. */
function download(what) {
  const { net, history } = run;
  if (!history) throw new Error('the run has not finished yet; train to the end first');
  let name;
  let blob;
  if (what === 'sqrtk')
    [name, blob] = ['model.sqrtk', new Blob([net.save({ fit: null, run_id: run.runId })])];
  else if (what === 'npz' || what === 'safetensors') {
    name = `network.${what}`;
    blob = new Blob([exportNetwork(net, what)[name]]);
  } else if (what === 'report')
    [name, blob] = [
      'report.html',
      new Blob([runFiles({ ...run, threads: threadCount() })['report.html']], {
        type: 'text/html',
      }),
    ];
  else if (what === 'run')
    [name, blob] = [`${run.dir}.zip`, runZip({ ...run, threads: threadCount() })];
  else throw new Error(`unknown download ${what}`);
  post({ type: 'file', what, name, blob });
}

// `npm run compare`: does learning which synapses exist beat random placement? (issue 10 §4, §5.)
//   npm run compare                      # every study below, one after the other
//   npm run compare -- --only add,small  # some of them
//   npm run compare -- --merge-only      # only merge parts that have run (e.g. after a crash)
// Builds if needed, then runs `sqrtk compare` for each study: every growth strategy against
// `random`, 5 seeds paired by seed. Each study's tasks are split between two processes of one
// thread each (small networks use one core better than two threads do); the halves are merged
// into runs/compare-STUDY/compare.json and compare.md. Times on a 2-core machine are in the list.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root, setup } from './setup.mjs';

const ALL_TASKS = [
  'digits',
  'digits-pixels',
  'dms',
  'dnms',
  'perceptual-decision',
  'context-dependent',
  'parametric-wm',
  'go-no-go',
  'pro-anti',
  'ready-set-go',
  'flip-flop',
];
// The issue's setting: N = 512, K = 50 (M = 7), 20 epochs, `gradient` and `sampled` rewiring
// every 50 steps; `deep_r` (and `random`, which never rewires) at their default schedule
// (deep_r: every step until 0.95 of training, see scheduleDefaults in ts/fit-options.ts).
const every = (steps) => ['--rewire-every', `gradient=${steps},sampled=${steps}`];
const ISSUE = ['--neurons', '512', '--k', '50', '--epochs', '20', ...every(50)];
const EI = ['--excitatory', '0.8', '--dale', '--scaling', 'balanced'];
const EI_RUN = [...EI, '--dynamics', 'rate', '--activation', 'relu', '--backbones', 'frozen'];
const EI_SIZE = ['--neurons', '500', '--k', '50', '--epochs', '5', ...every(25)];
const STUDIES = {
  // All eleven tasks, backbone frozen and trainable, add mode (about 45 minutes).
  add: { tasks: ALL_TASKS, flags: ISSUE },
  // The same with a smaller network trained briefly, where fewer tasks are at ceiling (8 min).
  small: {
    tasks: ALL_TASKS,
    flags: ['--neurons', '300', '--k', '36', '--epochs', '5', ...every(25)],
  },
  // Hidden mode (every in- and out-degree stays that of the random graph), frozen (25 min).
  hidden: { tasks: ALL_TASKS, flags: [...ISSUE, '--mode', 'hidden', '--backbones', 'frozen'] },
  // E/I networks with Dale's law and balanced scaling, rate dynamics with ReLU (10 min).
  'ei-add': { tasks: ['dms', 'parametric-wm', 'dnms'], flags: [...EI_RUN, ...EI_SIZE] },
  'ei-hidden': {
    tasks: ['dms', 'parametric-wm', 'dnms'],
    flags: [...EI_RUN, ...EI_SIZE, '--mode', 'hidden'],
  },
};
// Relative training time of a task (sequence length × trials); the rest count 1.
const WEIGHT = { 'digits-pixels': 6, dms: 3.5 };

/** A usage error: one line naming what is wrong and the fix, exit code 2. */
function usage(message) {
  console.error(`npm run compare: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { only: { type: 'string' }, 'merge-only': { type: 'boolean', default: false } },
  }));
} catch (error) {
  usage(`${error.message}; the options are --only STUDY,… and --merge-only`);
}
const chosen = values.only?.split(',') ?? Object.keys(STUDIES);
for (const name of chosen) {
  if (!(name in STUDIES))
    usage(`--only (="${name}") is not one of ${Object.keys(STUDIES).join(', ')}; pick from those`);
}

/** Two lists of tasks of about equal total weight (heaviest first, each to the lighter half). */
function halves(tasks) {
  const parts = [
    { tasks: [], weight: 0 },
    { tasks: [], weight: 0 },
  ];
  const weight = (t) => WEIGHT[t] ?? 1;
  for (const t of [...tasks].sort((a, b) => weight(b) - weight(a))) {
    const lighter = parts[0].weight <= parts[1].weight ? parts[0] : parts[1];
    lighter.tasks.push(t);
    lighter.weight += weight(t);
  }
  return parts.map((p) => ALL_TASKS.filter((t) => p.tasks.includes(t)));
}

/** Runs `sqrtk compare` on `tasks` into `dir`; resolves when it exits with 0. */
function compare(tasks, flags, dir) {
  const args = ['dist/cli.js', 'compare', '--task', tasks.join(','), '--seeds', '5'];
  args.push('--threads', '1', ...flags, '--out', dir);
  console.error(`> node ${args.join(' ')}`);
  const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((done, fail) =>
    child.on('exit', (code, signal) =>
      code === 0 ? done(dir) : fail(new Error(`compare of ${tasks} ended: ${signal ?? code}`)),
    ),
  );
}

function read(dir, file) {
  const path = resolve(root, dir, file);
  if (!existsSync(path))
    usage(`${path} is missing: that part has not finished; run without --merge-only`);
  return readFileSync(path, 'utf8');
}
/** Writes through a temporary file, so that a crash never leaves half a file. */
function write(dir, file, text) {
  const path = resolve(root, dir, file);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/**
 * One line per task and backbone: random's score, then each learned strategy's paired Δ and p.
 * Losses are shown relative to random's (−10 % = a tenth lower), accuracies in points.
 */
function condensed(groups) {
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
      const d = g.vs_random.mean;
      const shown = loss
        ? `${d >= 0 ? '+' : ''}${((100 * d) / random.score.mean).toFixed(1)} %`
        : `${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)}`;
      const p = g.vs_random.p_value;
      return `${shown} (${p === null ? '-' : p.toFixed(3)})`;
    });
    const score = loss ? random.score.mean.toPrecision(3) : random.score.mean.toFixed(3);
    const metric = { test_trial_accuracy: 'trial acc.', test_accuracy: 'accuracy' }[
      random.score.metric
    ];
    lines.push(
      `| ${random.task} | ${random.backbone} | ${metric ?? 'loss'} | ${score} | ${cells.join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The comparisons whose paired t-test gives p < 0.05, better and worse than `random` (a lower
 * loss is better), and how many comparisons there were: with many comparisons, some reach
 * p < 0.05 by chance (about 1 in 20 where nothing differs).
 */
function verdict(groups) {
  const paired = groups.filter((g) => g.vs_random !== null);
  const sign = (g) => (g.score.higher_is_better ? 1 : -1) * g.vs_random.mean;
  const name = (g) => `${g.task} ${g.backbone} ${g.growth} (${g.vs_random.p_value.toFixed(3)})`;
  const significant = paired.filter(
    (g) => g.vs_random.p_value !== null && g.vs_random.p_value < 0.05,
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

if (!values['merge-only']) setup();
for (const name of chosen) {
  const { tasks, flags } = STUDIES[name];
  const out = `runs/compare-${name}`;
  const parts = halves(tasks).filter((p) => p.length > 0);
  const dirs = parts.map((_, i) => `${out}/part-${i + 1}`);
  // --merge-only: the parts have run already; only rebuild the merged files.
  if (!values['merge-only']) await Promise.all(parts.map((p, i) => compare(p, flags, dirs[i])));
  const results = dirs.map((dir) => JSON.parse(read(dir, 'compare.json')));
  const merged = {
    settings: { ...results[0].settings, flags },
    tasks: results.flatMap((r) => r.tasks),
    groups: results.flatMap((r) => r.groups),
    seconds: Math.max(...results.map((r) => r.seconds)),
  };
  write(out, 'compare.json', JSON.stringify(merged, null, 2) + '\n');
  // Each part's table: a header of two lines, then one line per group.
  const [first, ...rest] = dirs.map((dir) => read(dir, 'compare.md').trim().split('\n'));
  const table = [...first, ...rest.flatMap((lines) => lines.slice(2))].join('\n') + '\n';
  const summary = `${condensed(merged.groups)}\n${verdict(merged.groups)}`;
  write(out, 'compare.md', `${table}\n${summary}`);
  console.log(`\n${name}:\n${table}\n${summary}wrote ${out}/compare.json and compare.md`);
}

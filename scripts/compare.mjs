// `npm run compare`: does learning which synapses exist beat random placement? (issue 10 §4, §5.)
//   npm run compare                      # every study below, one after the other
//   npm run compare -- --only add,small  # some of them
// Builds if needed, then runs `sqrtk compare` for each study into runs/compare-STUDY: every
// growth strategy against `random`, 5 seeds paired by seed, two runs at a time of one thread
// each (small networks use one core better than two threads do). Stopped, the same command
// goes on from the runs that finished. Times on a 2-core machine are in the list.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
/** A usage error: one line naming what is wrong and the fix, exit code 2. */
function usage(message) {
  console.error(`npm run compare: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { only: { type: 'string' } },
  }));
} catch (error) {
  usage(`${error.message}; the option is --only STUDY,…`);
}
const chosen = values.only?.split(',') ?? Object.keys(STUDIES);
for (const name of chosen) {
  if (!(name in STUDIES))
    usage(`--only (="${name}") is not one of ${Object.keys(STUDIES).join(', ')}; pick from those`);
}

/** Runs `sqrtk compare` on `tasks` into `dir`; resolves when it exits with 0. */
function compare(tasks, flags, dir) {
  const args = ['dist/cli.js', 'compare', '--task', tasks.join(','), '--seeds', '5'];
  args.push('--jobs', '2', '--threads', '1', ...flags, '--out', dir);
  console.error(`> node ${args.join(' ')}`);
  const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((done, fail) =>
    child.on('exit', (code, signal) =>
      code === 0 ? done(dir) : fail(new Error(`compare of ${tasks} ended: ${signal ?? code}`)),
    ),
  );
}

setup();
for (const name of chosen) {
  const { tasks, flags } = STUDIES[name];
  const out = `runs/compare-${name}`;
  await compare(tasks, flags, out);
  console.log(`\n${name}:\n${readFileSync(resolve(root, out, 'compare.md'), 'utf8')}`);
}

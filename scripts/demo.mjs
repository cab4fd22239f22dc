// `npm run demo`: build if needed, then train on the embedded digits task and write runs/demo/.
// 1,000 neurons with ~100 random inputs each plus 10 learned synapses placed by the `sampled`
// growth strategy; 20 epochs; about 20 s of training on 2 cores. Each run replaces the last
// demo run (--overwrite); `sqrtk train` itself never overwrites a run unless asked.
import { root, run, setup } from './setup.mjs';

setup();
const options = [
  '--task',
  'digits',
  '--neurons',
  '1000',
  '--k',
  '100',
  '--epochs',
  '20',
  '--growth',
  'sampled',
  '--seed',
  '1',
];
run('node', ['dist/cli.js', 'train', ...options, '--overwrite', '--out', 'runs/demo'], {
  cwd: root,
});

// `npm run demo`: build if needed, then train on the embedded digits task and write runs/demo/.
import { root, run, setup } from './setup.mjs';

setup();
run(
  'node',
  [
    'dist/cli.js',
    'train',
    '--task',
    'digits',
    '--neurons',
    '1000',
    '--k',
    '100',
    '--epochs',
    '20',
    '--seed',
    '1',
    '--out',
    'runs/demo',
  ],
  { cwd: root },
);

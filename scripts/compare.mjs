// `npm run compare`: build if needed, then train every growth strategy on both built-in tasks
// (digits, delayed match-to-sample) over 3 seeds, backbone frozen and trainable, and write
// runs/compare/compare.json and compare.md. Then the same on delayed match-to-sample in
// `hidden` mode (learned synapses replace backbone ones, so in-degrees stay Binomial), backbone
// frozen, into runs/compare-hidden/. About 7 minutes on a 2-core machine.
import { root, run, setup } from './setup.mjs';

setup();
const settings = ['--neurons', '500', '--k', '50', '--epochs', '10', '--rewire-every', '25', '--seeds', '3'];
run('node', ['dist/cli.js', 'compare', '--task', 'digits,dms', ...settings, '--out', 'runs/compare'], { cwd: root });
run('node', ['dist/cli.js', 'compare', '--task', 'dms', '--mode', 'hidden', '--backbones', 'frozen', ...settings, '--out', 'runs/compare-hidden'], { cwd: root });

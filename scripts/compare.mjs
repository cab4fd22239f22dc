// `npm run compare`: build if needed, then train every growth strategy on both built-in tasks
// (digits, delayed match-to-sample) over 3 seeds, backbone frozen and trainable, and write
// runs/compare/compare.json and compare.md. Then the same on delayed match-to-sample in
// `hidden` mode (learned synapses replace backbone ones, so in-degrees stay Binomial), backbone
// frozen, into runs/compare-hidden/. Then E/I networks (issue 10 §5): 80 % excitatory neurons,
// Dale's law, balanced scaling, rate dynamics with ReLU, frozen backbone, on three tasks, in add
// and in hidden mode, 5 seeds, into runs/compare-ei-add/ and runs/compare-ei-hidden/. About 20
// minutes on a 2-core machine.
import { root, run, setup } from './setup.mjs';

setup();
const settings = ['--neurons', '500', '--k', '50', '--epochs', '10', '--rewire-every', '25', '--seeds', '3'];
run('node', ['dist/cli.js', 'compare', '--task', 'digits,dms', ...settings, '--out', 'runs/compare'], { cwd: root });
run('node', ['dist/cli.js', 'compare', '--task', 'dms', '--mode', 'hidden', '--backbones', 'frozen', ...settings, '--out', 'runs/compare-hidden'], { cwd: root });
const ei = ['--excitatory', '0.8', '--dale', '--scaling', 'balanced', '--dynamics', 'rate', '--activation', 'relu'];
const eiSettings = ['--neurons', '500', '--k', '50', '--epochs', '5', '--rewire-every', '25', '--seeds', '5', '--backbones', 'frozen'];
for (const mode of ['add', 'hidden']) {
  run('node', ['dist/cli.js', 'compare', '--task', 'dms,parametric-wm,dnms', '--mode', mode, ...ei, ...eiSettings, '--out', `runs/compare-ei-${mode}`], { cwd: root });
}

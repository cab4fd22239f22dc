// The figures and numbers of the README section "What did it learn?", made with the CLI:
//   node scripts/analysis-figures.mjs        (about 5 minutes on 2 cores; needs `npm run build`)
// 1. A 3-bit flip-flop (N = 128): its trajectories with the fixed points, and the spectrum.
// 2. Perceptual decisions by an E/I rate network with Dale's law (N = 300), grown by `gradient`
//    and, as the control, by `random`, 5 seeds each: the psychometric curve, the trajectories,
//    and the learned synapses against random placement on every seed.
// Writes runs/analysis/* (the runs) and docs/analysis/*.svg, docs/analysis/structure.{md,json}.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const runs = 'runs/analysis';
const docs = 'docs/analysis';
mkdirSync(runs, { recursive: true });
mkdirSync(docs, { recursive: true });

function sqrtk(...args) {
  console.log(`$ sqrtk ${args.join(' ')}`);
  execFileSync('node', ['dist/cli.js', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Copies the figure whose name ends with `-${suffix}.svg` to docs/analysis/NAME.svg. */
function keep(dir, suffix, name) {
  const file = readdirSync(join(dir, 'figures')).find((f) => f.endsWith(`-${suffix}.svg`));
  if (!file) throw new Error(`${dir}/figures has no *-${suffix}.svg`);
  copyFileSync(join(dir, 'figures', file), join(docs, `${name}.svg`));
}

// 1. The flip-flop.
const flipFlop = join(runs, 'flip-flop');
sqrtk(
  'train', '--task', 'flip-flop', '--neurons', '128', '--k', '16', '--lr', '0.01',
  '--epochs', '20', '--growth', 'sampled', '--seed', '1', '--overwrite', '--out', flipFlop,
);
sqrtk('analyze', flipFlop);
sqrtk('report', flipFlop, '--figures');
keep(flipFlop, 'population-trajectories', 'flip-flop-trajectories');
keep(flipFlop, 'eigenvalues-of-w', 'flip-flop-eigenvalues');

// 2. Perceptual decisions, E/I with Dale's law, gradient growth against random growth.
const network = [
  '--task', 'perceptual-decision', '--neurons', '300', '--k', '30', '--excitatory', '0.8',
  '--dale', '--dynamics', 'rate', '--activation', 'relu', '--epochs', '20', '--lr', '0.005',
];
const SEEDS = [1, 2, 3, 4, 5];
const results = [];
for (const growth of ['gradient', 'random'])
  for (const seed of SEEDS) {
    const dir = join(runs, `decision-${growth}-${seed}`);
    sqrtk('train', ...network, '--growth', growth, '--seed', String(seed), '--overwrite', '--out', dir);
    // The fixed-point search (the slow part) for the first seed, whose figures are kept.
    sqrtk('analyze', dir, ...(seed === 1 ? [] : ['--fixed-point-seeds', '0']));
    const analysis = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    results.push({ growth, seed, analysis, summary });
    if (growth === 'gradient' && seed === 1) {
      sqrtk('report', dir, '--figures');
      keep(dir, 'population-trajectories', 'decision-trajectories');
      keep(dir, 'against-signed-coherence', 'decision-psychometric');
    }
  }

// Per statistic and strategy: the mean over seeds of the learned value and of the random
// placements' mean, and on how many seeds p < 0.05 (above / below the random placements).
const round = (v) => String(+v.toPrecision(3));
const rows = [];
const table = {};
for (const growth of ['gradient', 'random']) {
  const mine = results.filter((r) => r.growth === growth);
  for (const test of mine[0].analysis.structure) {
    const all = mine.map((r) => r.analysis.structure.find((t) => t.statistic === test.statistic));
    const mean = (f) => all.reduce((s, t) => s + f(t), 0) / all.length;
    const above = all.filter((t) => t.pValue < 0.05 && t.learned > t.randomMean).length;
    const below = all.filter((t) => t.pValue < 0.05 && t.learned < t.randomMean).length;
    table[`${growth} ${test.statistic}`] = { learned: mean((t) => t.learned), random: mean((t) => t.randomMean), above, below, seeds: all.length };
    rows.push(
      `| ${growth} | ${test.statistic} | ${round(mean((t) => t.learned))} | ${round(mean((t) => t.randomMean))} | ${above} | ${below} |`,
    );
  }
}
const trial = (growth) =>
  results.filter((r) => r.growth === growth).map((r) => round(r.summary.test_trial_accuracy)).join(', ');
const md = `# The learned synapses against random placement

Made by \`node scripts/analysis-figures.mjs\` on ${cpus().length} × ${cpus()[0].model.trim()}, Node ${process.version}.
Network: \`sqrtk train ${network.join(' ')} --growth G --seed S\`, seeds ${SEEDS.join(', ')}; then \`sqrtk analyze\`
(1,000 random placements per test). Held-out trial accuracy per seed: gradient ${trial('gradient')}; random ${trial('random')}.

| growth | statistic | learned (mean over seeds) | random placements (mean) | seeds with p < 0.05, above | below |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
writeFileSync(join(docs, 'structure.md'), md);
writeFileSync(join(docs, 'structure.json'), JSON.stringify(table, null, 2) + '\n');
console.log(md);

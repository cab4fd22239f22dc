// What the compact layout (no transpose: 20 instead of 28 bytes per synapse) costs in time.
//   node bench/compact.mjs [--rounds 2] [--out docs/bench-compact]
// Runs bench/sqrtk-wasm.mjs with and without --compact, alternating, for N = 4,096, K = 100 and
// N = 20,000, K = 200 (B = 32, T = 20) at 1 and 2 threads, `rounds` times each, and writes
// OUT.json (every run) and OUT.md (median training and forward step per layout, and their
// ratio). Both layouts give the same bits; only the time differs.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: 'docs/bench-compact' },
  },
});
const sizes = [
  [4096, 100],
  [20000, 200],
];
const runs = [];
for (let round = 0; round < Number(a.rounds); round++) {
  for (const [n, k] of sizes) {
    for (const threads of [1, 2]) {
      for (const compact of [false, true]) {
        const args = ['bench/sqrtk-wasm.mjs', '--neurons', `${n}`, '--k', `${k}`];
        args.push('--threads', `${threads}`, '--reps', '3', ...(compact ? ['--compact'] : []));
        const line = JSON.parse(execFileSync('node', args, { encoding: 'utf8' }).trim());
        if (line.status === 'failed') throw new Error(`${args.join(' ')}: ${line.error}`);
        runs.push({ round, ...line });
        console.error(
          `N=${n} K=${k} threads=${threads} ${compact ? 'compact' : 'indexed'}: train ${line.train_step_ms.toFixed(1)} ms`,
        );
      }
    }
  }
}
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const rows = [];
for (const [n, k] of sizes) {
  for (const threads of [1, 2]) {
    const of = (compact, key) =>
      median(
        runs
          .filter((r) => r.neurons === n && r.threads === threads && r.compact === compact)
          .map((r) => r[key]),
      );
    const [ti, tc, fi, fc] = [
      of(false, 'train_step_ms'),
      of(true, 'train_step_ms'),
      of(false, 'forward_step_ms'),
      of(true, 'forward_step_ms'),
    ];
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${k} | ${threads} | ${ti.toFixed(1)} | ${tc.toFixed(1)} | ${(tc / ti).toFixed(2)} | ${fi.toFixed(2)} | ${fc.toFixed(2)} |`,
    );
  }
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
const md = [
  `# The compact layout against the indexed one (${new Date().toISOString().slice(0, 10)})`,
  '',
  `\`node bench/compact.mjs --rounds ${a.rounds}\` on ${machine}; B = 32, T = 20, medians of`,
  `${a.rounds} alternating runs (each the median of 3 training steps).`,
  '',
  '| N | K | threads | train ms, indexed | train ms, compact | compact / indexed | forward ms/step, indexed | forward ms/step, compact |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
writeFileSync(`${a.out}.json`, JSON.stringify({ machine, runs }, null, 2) + '\n');
writeFileSync(`${a.out}.md`, md);
console.log(md);

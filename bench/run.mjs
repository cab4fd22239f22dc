// `npm run bench`: every implementation side by side, one configuration per child process, on
// this machine, in one run. Writes bench/results/latest.json (one entry per measurement) and
// bench/results/latest.md (tables + the target ratios). `--quick` runs a tiny smoke size only
// (used by the tests) and writes to --out (default bench/results/smoke.json). `--pytorch` runs
// only the comparison with PyTorch (sqrtk and every PyTorch variant at 1 and all threads, at the
// sizes of the targets, plus one `gradient` rewiring at N = 20,000) and writes
// bench/results/pytorch.json and .md.
//
// Implementations: sqrtk wasm (1 thread, all threads), sqrtk native (same Rust core on x86-64),
// TensorFlow.js WASM backend with a dense weights × mask recurrent step, a plain JavaScript CSR
// implementation, and PyTorch CPU (CSR + sampled_addmm, dense × mask, custom sparse autograd; at 1
// and all threads) when torch is installed: in bench/.venv (see bench/README.md) or for python3.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pytorch: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const all = availableParallelism();
// The bench-only virtual environment with torch, if it was made; otherwise the system python3.
const venvPython = join(here, '.venv', 'bin', 'python');
const python = existsSync(venvPython) ? venvPython : 'python3';

const impls = {
  wasm: (c, threads, extra = []) => [
    'node',
    [join(here, 'sqrtk-wasm.mjs'), ...flags(c), '--threads', `${threads}`, ...extra],
  ],
  native: (c, threads) => [
    join(root, 'target', 'release', 'bench'),
    [c.neurons, c.k, c.batch, c.steps, threads, c.reps].map(String),
  ],
  tfjs: (c) => ['node', [join(here, 'tfjs.mjs'), ...flags(c)]],
  js: (c) => ['node', [join(here, 'plain-js.mjs'), ...flags(c)]],
  torchCsr: (c, threads) => torch('csr', c, threads),
  torchDense: (c, threads) => torch('dense', c, threads),
  torchSparse: (c, threads) => torch('sparse', c, threads),
};
function torch(variant, c, threads) {
  const script = join(here, 'torch_bench.py');
  return [python, [script, '--variant', variant, ...flags(c), '--threads', `${threads}`]];
}
function flags(c) {
  return [
    '--neurons',
    `${c.neurons}`,
    '--k',
    `${c.k}`,
    '--batch',
    `${c.batch}`,
    '--steps',
    `${c.steps}`,
    '--reps',
    `${c.reps}`,
  ];
}

/** The sweep: one axis at a time (N at K = 100, then K at N = 8,192), plus the two special cases. */
function plan() {
  const size = (neurons, k, batch = 32, steps = 20) => ({
    neurons,
    k,
    batch,
    steps,
    reps: neurons >= 20000 || k >= 1000 ? 2 : 3,
  });
  const runs = [];
  const threads = [1, all];
  // The custom-autograd variant gathers in Python (10–20× slower): small sizes only.
  const everyImpl = (c, { tfjs, js, torchDense, torchSparse = c.neurons <= 4096 }) => {
    for (const p of threads) runs.push(['wasm', c, p], ['native', c, p]);
    if (tfjs) runs.push(['tfjs', c]);
    if (js) runs.push(['js', c]);
    for (const p of threads) {
      runs.push(['torchCsr', c, p]);
      if (torchDense) runs.push(['torchDense', c, p]);
      if (torchSparse) runs.push(['torchSparse', c, p]);
    }
  };
  // Cost of one `gradient` rewiring at N = 20,000, K = 200.
  const pushRewire = () => {
    const rewire = size(20000, 200);
    runs.push(['wasm', rewire, 1, ['--rewire']], ['wasm', rewire, all, ['--rewire']]);
  };
  if (args.quick) {
    everyImpl(size(256, 16, 8, 5), { tfjs: true, js: true, torchDense: true });
    return runs.map((r) => ((r[1].reps = 1), r));
  }
  if (args.pytorch) {
    for (const [n, k] of [
      [4096, 100],
      [8192, 256],
      [20000, 200],
    ])
      everyImpl(size(n, k), { torchDense: n <= 8192 });
    pushRewire();
    return runs;
  }
  for (const n of [1000, 4096, 8192, 20000, 100000])
    everyImpl(size(n, 100), { tfjs: n <= 8192, js: n <= 8192, torchDense: n <= 8192 });
  for (const k of [256, 1000])
    everyImpl(size(8192, k), { tfjs: k === 256, js: k === 256, torchDense: k === 256 });
  // ≈ 10^8 synapses in one WebAssembly process (B = 8, T = 10).
  const huge = { neurons: 100000, k: 1000, batch: 8, steps: 10, reps: 1 };
  runs.push(['wasm', huge, all], ['native', huge, all]);
  pushRewire();
  return runs;
}

function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}

function measure([impl, c, threads, extra]) {
  const [command, argv] = impls[impl](c, threads, extra);
  const timeout = args.quick ? 120_000 : 900_000;
  const started = Date.now();
  const r = spawnSync(command, argv, { cwd: root, encoding: 'utf8', timeout, maxBuffer: 1 << 24 });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  const base = { implementation: impl, ...c, threads: threads ?? null };
  if (r.error?.code === 'ETIMEDOUT' || r.signal) {
    return {
      ...base,
      status: 'failed',
      error:
        r.signal === 'SIGTERM' ? `timed out after ${timeout / 1000} s` : `killed by ${r.signal}`,
    };
  }
  try {
    return { ...JSON.parse(line), wall_s: (Date.now() - started) / 1000 };
  } catch {
    const why =
      (r.stderr || r.error?.message || '').trim().split('\n').pop() || `exit code ${r.status}`;
    return { ...base, status: 'failed', error: why.slice(0, 300) };
  }
}

const fmt = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
function table(results) {
  const rows = [
    '| implementation | threads | N | K | B | T | train step (ms) | forward step (ms) | peak memory (MB) | status |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const status = r.status === 'ok' ? 'ok' : `${r.status}: ${r.error ?? ''}`;
    rows.push(
      `| ${r.implementation} | ${r.threads ?? '–'} | ${r.neurons} | ${r.k} | ${r.batch} | ${r.steps} | ${fmt(r.train_step_ms)} | ${fmt(r.forward_step_ms, 2)} | ${fmt(r.peak_rss_mb, 0)} | ${status} |`,
    );
  }
  return rows.join('\n');
}

/** The ratios the project's targets are about, computed from this run only. */
function targets(results) {
  const find = (impl, n, k, threads, extra = (r) => r.rewire_ms === undefined) =>
    results.find(
      (r) =>
        r.implementation.startsWith(impl) &&
        r.neurons === n &&
        r.k === k &&
        r.status === 'ok' &&
        (threads === undefined || r.threads === threads) &&
        extra(r),
    );
  const lines = [];
  const wasmAll = find('sqrtk wasm', 8192, 256, all);
  const tf = results.find(
    (r) => r.implementation.startsWith('tfjs') && r.neurons === 8192 && r.k === 256,
  );
  if (wasmAll && tf) {
    lines.push(
      tf.status === 'ok'
        ? `- Training step at N = 8,192, K = 256: sqrtk wasm (${all} threads) ${fmt(wasmAll.train_step_ms)} ms vs TensorFlow.js WASM dense×mask ${fmt(tf.train_step_ms)} ms: **${fmt(tf.train_step_ms / wasmAll.train_step_ms)}× faster**.`
        : `- Training step at N = 8,192, K = 256: TensorFlow.js WASM dense×mask did not complete (${tf.error}); sqrtk wasm (${all} threads) took ${fmt(wasmAll.train_step_ms)} ms.`,
    );
  }
  for (const n of [1000, 4096, 8192, 20000, 100000]) {
    const [w1, wN, n1] = [
      find('sqrtk wasm', n, 100, 1),
      find('sqrtk wasm', n, 100, all),
      find('sqrtk native', n, 100, 1),
    ];
    if (w1 && n1)
      lines.push(
        `- N = ${n}, K = 100: wasm/native forward step (1 thread) = ${fmt(w1.forward_step_ms / n1.forward_step_ms, 2)}; ${all} threads vs 1 (wasm): training ${fmt(w1.train_step_ms / wN?.train_step_ms, 2)}×, forward ${fmt(w1.forward_step_ms / wN?.forward_step_ms, 2)}×.`,
      );
  }
  lines.push(...versusPytorch(results, find));
  const huge = find('sqrtk wasm', 100000, 1000, undefined);
  if (huge)
    lines.push(
      `- N = 100,000, K = 1,000 (${huge.synapses?.toLocaleString('en-US')} synapses), B = 8, T = 10, one WebAssembly process: build ${fmt(huge.build_ms / 1000)} s, training step ${fmt(huge.train_step_ms / 1000)} s, peak memory ${fmt(huge.peak_rss_mb, 0)} MB.`,
    );
  for (const r of results.filter((x) => x.rewire_ms !== undefined)) {
    lines.push(
      `- \`gradient\` rewiring at N = ${r.neurons}, K = ${r.k} (${r.threads} thread${r.threads > 1 ? 's' : ''}): ${fmt(r.rewire_ms / 1000)} s per rewiring = ${fmt(r.rewire_ms / r.train_step_ms)} training steps; at the default schedule (every 100 steps) ${fmt((100 * r.rewire_ms) / (100 * r.train_step_ms))}% of training time.`,
    );
  }
  return lines.join('\n');
}

/** sqrtk against PyTorch's fastest variant at each size and thread count (ratios > 1: sqrtk faster). */
function versusPytorch(results, find) {
  const lines = [];
  const sizes = new Set(
    results.filter((r) => r.implementation.startsWith('pytorch')).map((r) => `${r.neurons},${r.k}`),
  );
  for (const [n, k] of [...sizes].map((s) => s.split(',').map(Number))) {
    for (const p of [...new Set([1, all])]) {
      const torch = results.filter(
        (r) =>
          r.implementation.startsWith('pytorch') &&
          r.status === 'ok' &&
          r.neurons === n &&
          r.k === k &&
          r.threads === p,
      );
      const [wasm, native, csr] = [
        find('sqrtk wasm', n, k, p),
        find('sqrtk native', n, k, p),
        find('pytorch CSR', n, k, p),
      ];
      if (!torch.length || !wasm) continue;
      const best = torch.reduce((a, b) => (b.train_step_ms < a.train_step_ms ? b : a));
      const parts = [
        `training: PyTorch's fastest (${best.implementation}) ${fmt(best.train_step_ms)} ms vs sqrtk wasm ${fmt(wasm.train_step_ms)} ms = **${fmt(best.train_step_ms / wasm.train_step_ms, 2)}×**`,
      ];
      if (native) parts.push(`sqrtk native ${fmt(best.train_step_ms / native.train_step_ms, 2)}×`);
      if (csr)
        parts.push(
          `forward step: sqrtk wasm ${fmt(wasm.forward_step_ms, 2)} ms vs PyTorch CSR ${fmt(csr.forward_step_ms, 2)} ms = wasm takes ${fmt(wasm.forward_step_ms / csr.forward_step_ms, 2)}× as long`,
        );
      if (native)
        parts.push(
          `wasm/native training ${fmt(wasm.train_step_ms / native.train_step_ms, 2)}, forward ${fmt(wasm.forward_step_ms / native.forward_step_ms, 2)}`,
        );
      lines.push(
        `- vs PyTorch, N = ${n}, K = ${k}, ${p} thread${p > 1 ? 's' : ''}: ${parts.join('; ')}.`,
      );
    }
    const [w1, wN] = [find('sqrtk wasm', n, k, 1), find('sqrtk wasm', n, k, all)];
    if (w1 && wN && all > 1)
      lines.push(
        `- N = ${n}, K = ${k}: sqrtk wasm ${all} threads vs 1: training ${fmt(w1.train_step_ms / wN.train_step_ms, 2)}×, forward ${fmt(w1.forward_step_ms / wN.forward_step_ms, 2)}×.`,
      );
  }
  return lines;
}

execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'sqrtk-core', '--bin', 'bench'], {
  cwd: root,
  stdio: 'inherit',
});
const name = args.quick ? 'smoke' : args.pytorch ? 'pytorch' : 'latest';
const out = args.out ?? join(here, 'results', `${name}.json`);
mkdirSync(dirname(out), { recursive: true });
const report = { machine: machine(), results: [] };
const runs = plan();
for (const [index, run] of runs.entries()) {
  const result = measure(run);
  report.results.push(result);
  const what = `${result.implementation} N=${run[1].neurons} K=${run[1].k} threads=${result.threads ?? '-'}`;
  console.error(
    `[${index + 1}/${runs.length}] ${what}: ${result.status === 'ok' ? `${fmt(result.train_step_ms)} ms/step` : `${result.status} (${result.error})`}`,
  );
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n'); // keep what we have if a later run crashes
}
const m = report.machine;
const markdown = `Measured ${m.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node} (\`npm run bench\`).\n\n${targets(report.results)}\n\n${table(report.results)}\n`;
writeFileSync(out.replace(/\.json$/, '.md'), markdown);
console.log(markdown);

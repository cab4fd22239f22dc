// Baseline: a sparse RNN hand-written in plain JavaScript (CSR arrays, explicit loops, BPTT, Adam).
// Single thread. Measures ONE configuration and prints ONE JSON line on stdout.
//   node bench/plain-js.mjs --neurons N --k K --batch B --steps T [--reps R]
//   node bench/plain-js.mjs --check      (finite-difference check of the W_rec gradient, N = 12)
// See bench/README.md for the common model and the output contract.

import { makeInputs, median, mulberry32, normal, parseArgs } from './common.mjs';

const NAME = 'plain JS CSR';
const D = 8; // inputs
const O = 10; // outputs
const LR = 0.002;

// --- the network: W_rec in CSR (row i = target neuron, col j = source neuron) ---
function buildNet(N, K, seed = 1) {
  const rand = mulberry32(seed);
  const p = Math.min(1, K / N);
  // Erdős–Rényi pattern, row by row; skip ahead geometrically instead of drawing N² coins.
  const rowPtr = new Int32Array(N + 1);
  const cols = [];
  const logq = Math.log(1 - p);
  for (let i = 0; i < N; i++) {
    let j = -1;
    for (;;) {
      j += p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rand()) / logq);
      if (j >= N) break;
      if (j !== i) cols.push(j);
    }
    rowPtr[i + 1] = cols.length;
  }
  const nnz = cols.length;
  const colIdx = Int32Array.from(cols);
  const val = new Float32Array(nnz);
  for (let q = 0; q < nnz; q++) val[q] = normal(rand) / Math.sqrt(K);
  const Win = new Float32Array(N * D); // [N][D]
  for (let q = 0; q < Win.length; q++) Win[q] = normal(rand) / Math.sqrt(D);
  const bias = new Float32Array(N);
  const Wout = new Float32Array(O * N); // [O][N]
  for (let q = 0; q < Wout.length; q++) Wout[q] = normal(rand) / Math.sqrt(N);
  const bout = new Float32Array(O);
  const params = { val, Win, bias, Wout, bout };
  const adam = {};
  for (const [k, v] of Object.entries(params)) {
    adam[k] = { m: new Float32Array(v.length), v: new Float32Array(v.length) };
  }
  return { N, nnz, rowPtr, colIdx, params, adam, t: 0 };
}

// One recurrent step for the whole batch: hOut[b] = tanh(W_rec hIn[b] + W_in x[b,t] + bias)
function step(net, x, T, t, B, hIn, hOut) {
  const { N, rowPtr, colIdx } = net;
  const { val, Win, bias } = net.params;
  for (let b = 0; b < B; b++) {
    const xo = (b * T + t) * D;
    const ho = b * N;
    for (let i = 0; i < N; i++) {
      let a = bias[i];
      for (let d = 0; d < D; d++) a += Win[i * D + d] * x[xo + d];
      for (let q = rowPtr[i]; q < rowPtr[i + 1]; q++) a += val[q] * hIn[ho + colIdx[q]];
      hOut[ho + i] = Math.tanh(a);
    }
  }
}

function readout(net, h, B) {
  const { N } = net;
  const { Wout, bout } = net.params;
  const logits = new Float32Array(B * O);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      let a = bout[o];
      for (let i = 0; i < N; i++) a += Wout[o * N + i] * h[b * N + i];
      logits[b * O + o] = a;
    }
  }
  return logits;
}

// Forward only (no history kept); returns logits.
function forward(net, x, B, T) {
  let h = new Float32Array(B * net.N);
  let h2 = new Float32Array(B * net.N);
  for (let t = 0; t < T; t++) {
    step(net, x, T, t, B, h, h2);
    [h, h2] = [h2, h];
  }
  return readout(net, h, B);
}

// Forward keeping all states, mean softmax cross-entropy, BPTT. Returns { loss, grads }.
function lossAndGrads(net, x, labels, B, T) {
  const { N, rowPtr, colIdx, nnz } = net;
  const { val, Win, Wout } = net.params;
  const H = [new Float32Array(B * N)]; // H[t] = h_t, h_0 = 0
  for (let t = 0; t < T; t++) {
    H.push(new Float32Array(B * N));
    step(net, x, T, t, B, H[t], H[t + 1]);
  }
  const hT = H[T];
  const logits = readout(net, hT, B);
  // softmax cross-entropy, mean over the batch; dlogits = (softmax - onehot) / B
  let loss = 0;
  const dlog = new Float32Array(B * O);
  for (let b = 0; b < B; b++) {
    let mx = -Infinity;
    for (let o = 0; o < O; o++) mx = Math.max(mx, logits[b * O + o]);
    let s = 0;
    for (let o = 0; o < O; o++) s += Math.exp(logits[b * O + o] - mx);
    loss += -(logits[b * O + labels[b]] - mx - Math.log(s)) / B;
    for (let o = 0; o < O; o++) {
      dlog[b * O + o] = (Math.exp(logits[b * O + o] - mx) / s - (o === labels[b] ? 1 : 0)) / B;
    }
  }
  const g = {
    val: new Float32Array(nnz),
    Win: new Float32Array(N * D),
    bias: new Float32Array(N),
    Wout: new Float32Array(O * N),
    bout: new Float32Array(O),
  };
  // readout gradients and dL/dh_T
  let dh = new Float32Array(B * N);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      const d = dlog[b * O + o];
      g.bout[o] += d;
      for (let i = 0; i < N; i++) {
        g.Wout[o * N + i] += d * hT[b * N + i];
        dh[b * N + i] += d * Wout[o * N + i];
      }
    }
  }
  // back through time
  const da = new Float32Array(B * N);
  for (let t = T; t >= 1; t--) {
    const h = H[t];
    const hPrev = H[t - 1];
    const dhPrev = new Float32Array(B * N);
    for (let q = 0; q < B * N; q++) da[q] = dh[q] * (1 - h[q] * h[q]);
    for (let b = 0; b < B; b++) {
      const ho = b * N;
      const xo = (b * T + (t - 1)) * D;
      for (let i = 0; i < N; i++) {
        const a = da[ho + i];
        g.bias[i] += a;
        for (let d = 0; d < D; d++) g.Win[i * D + d] += a * x[xo + d];
        for (let q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
          const j = colIdx[q];
          g.val[q] += a * hPrev[ho + j]; // dL/dW_rec[i][j] at the pattern
          dhPrev[ho + j] += val[q] * a; // W_rec^T da, scatter-add
        }
      }
    }
    dh = dhPrev;
  }
  return { loss, grads: g };
}

function adamUpdate(net, grads, lr = LR, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
  net.t += 1;
  const c1 = 1 - Math.pow(beta1, net.t);
  const c2 = 1 - Math.pow(beta2, net.t);
  for (const key of Object.keys(net.params)) {
    const p = net.params[key];
    const gr = grads[key];
    const { m, v } = net.adam[key];
    for (let q = 0; q < p.length; q++) {
      m[q] = beta1 * m[q] + (1 - beta1) * gr[q];
      v[q] = beta2 * v[q] + (1 - beta2) * gr[q] * gr[q];
      p[q] -= (lr * (m[q] / c1)) / (Math.sqrt(v[q] / c2) + eps);
    }
  }
}

function trainStep(net, x, labels, B, T) {
  const { loss, grads } = lossAndGrads(net, x, labels, B, T);
  adamUpdate(net, grads);
  return loss;
}

// Finite-difference check of the W_rec gradient on a tiny network (float64 arithmetic in JS,
// float32 storage: use a relatively large epsilon and a tolerance of 1e-2).
function check() {
  const N = 12,
    K = 4,
    B = 3,
    T = 5;
  const net = buildNet(N, K, 7);
  // larger recurrent weights so the recurrence matters
  for (let q = 0; q < net.nnz; q++) net.params.val[q] *= 2;
  const { x, labels } = makeInputs(B, T);
  const { grads } = lossAndGrads(net, x, labels, B, T);
  const eps = 1e-2;
  let maxRel = 0;
  let maxAbsGrad = 0;
  for (let q = 0; q < net.nnz; q++) maxAbsGrad = Math.max(maxAbsGrad, Math.abs(grads.val[q]));
  for (let q = 0; q < net.nnz; q++) {
    const w = net.params.val[q];
    net.params.val[q] = w + eps;
    const lp = lossAndGrads(net, x, labels, B, T).loss;
    net.params.val[q] = w - eps;
    const lm = lossAndGrads(net, x, labels, B, T).loss;
    net.params.val[q] = w;
    const fd = (lp - lm) / (2 * eps);
    // relative error, floored by 1e-3 of the largest gradient to avoid dividing by ~0
    const rel =
      Math.abs(fd - grads.val[q]) /
      Math.max(Math.abs(fd), Math.abs(grads.val[q]), 1e-3 * maxAbsGrad);
    maxRel = Math.max(maxRel, rel);
  }
  // also check that a training step lowers the loss on this batch
  const l0 = lossAndGrads(net, x, labels, B, T).loss;
  for (let s = 0; s < 20; s++) trainStep(net, x, labels, B, T);
  const l1 = lossAndGrads(net, x, labels, B, T).loss;
  console.error(
    `check: N=${N} nnz=${net.nnz} max relative error of dL/dW_rec = ${maxRel.toExponential(3)}; loss ${l0.toFixed(4)} -> ${l1.toFixed(4)} after 20 Adam steps`,
  );
  process.exit(maxRel > 1e-2 || !(l1 < l0) ? 1 : 0);
}

function main() {
  const args = parseArgs(process.argv.slice(2), { check: false });
  if (args.check) return check();
  const { neurons: N, k: K, batch: B, steps: T, reps } = args;
  const out = { implementation: NAME, neurons: N, k: K, batch: B, steps: T, threads: 1 };
  try {
    const { x, labels } = makeInputs(B, T);
    let t0 = performance.now();
    const net = buildNet(N, K);
    const buildMs = performance.now() - t0;
    console.error(`built: nnz=${net.nnz} in ${buildMs.toFixed(1)} ms`);
    trainStep(net, x, labels, B, T); // warm-up
    const train = [];
    for (let r = 0; r < reps; r++) {
      t0 = performance.now();
      const loss = trainStep(net, x, labels, B, T);
      train.push(performance.now() - t0);
      console.error(`train ${r}: ${train.at(-1).toFixed(1)} ms, loss ${loss.toFixed(4)}`);
    }
    forward(net, x, B, T); // warm-up
    const fwd = [];
    for (let r = 0; r < reps; r++) {
      t0 = performance.now();
      forward(net, x, B, T);
      fwd.push((performance.now() - t0) / T);
    }
    Object.assign(out, {
      status: 'ok',
      build_ms: buildMs,
      train_step_ms: median(train),
      forward_step_ms: median(fwd),
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      notes: `float32 storage (Float32Array), float64 arithmetic, CSR nnz=${net.nnz}, single thread, Node ${process.version}`,
    });
  } catch (e) {
    Object.assign(out, {
      status: 'failed',
      error: String(e?.message ?? e).split('\n')[0],
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();

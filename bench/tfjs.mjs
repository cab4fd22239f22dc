// Baseline: TensorFlow.js 4.22, WASM backend. The recurrent weight is a dense N×N variable times a
// constant 0/1 mask (how sparse RNNs are usually done in TF.js), BPTT by autodiff over the unrolled
// loop, tf.train.adam(0.002). Measures ONE configuration and prints ONE JSON line on stdout.
//   node bench/tfjs.mjs --neurons N --k K --batch B --steps T [--reps R]
// Needs @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (4.22.0). See bench/README.md.
import { createRequire } from 'node:module';
import path from 'node:path';

import { median, mulberry32, parseArgs } from './common.mjs';

const NAME = 'tfjs-wasm dense×mask';
const D = 8; // inputs
const O = 10; // outputs
const LR = 0.002;

// Everything below writes progress to stderr; keep stdout for the single JSON line.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

const args = parseArgs(process.argv.slice(2));
const { neurons: N, k: K, batch: B, steps: T, reps } = args;
const out = { implementation: NAME, neurons: N, k: K, batch: B, steps: T, threads: 1 };
let printed = false;
let notes = '';
let phase = 'init';
let heapMB = () => 0; // size of the wasm backend's linear memory (max 4 GB in wasm32)
function finish(extra) {
  if (printed) return;
  printed = true;
  Object.assign(out, extra, { peak_rss_mb: process.resourceUsage().maxRSS / 1024 });
  if (extra.status !== 'ok' && notes) out.notes = notes;
  process.stdout.write(JSON.stringify(out) + '\n');
}
function fail(e) {
  let msg = String(e?.message ?? e).split('\n')[0] || 'unknown error';
  let heap = 0;
  try {
    heap = heapMB();
  } catch {
    /* backend not up */
  }
  msg += ` [during ${phase}${heap ? `; wasm heap ${heap.toFixed(0)} MB of max 4096` : ''}]`;
  finish({ status: 'failed', error: msg });
  process.exit(0);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

try {
  const tf = await import('@tensorflow/tfjs'); // the union package: tfjs-core alone has no gradients
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Load the .wasm binaries from the package itself (nothing is downloaded).
  const require = createRequire(import.meta.url);
  const wasmDir =
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
  wasm.setWasmPaths(wasmDir);
  if (!(await tf.setBackend('wasm'))) throw new Error('could not initialize the wasm backend');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`backend is ${tf.getBackend()}, not wasm`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  out.threads = wasm.getThreadsCount();
  heapMB = () => tf.backend().wasm.HEAPU8.buffer.byteLength / 2 ** 20;
  notes =
    `tfjs ${tf.version_core} wasm backend, float32, ${simd ? 'SIMD' : 'no SIMD'}, ` +
    `${mt ? 'multithreaded binary' : 'single-threaded binary (tfjs disables wasm threads in Node)'}, ` +
    `XNNPACK threads=${out.threads}; W_rec dense N×N variable × 0/1 mask`;
  console.error(notes);

  // --- build: weights, mask, inputs ---
  phase = 'build';
  let t0 = performance.now();
  const rand = mulberry32(1);
  const maskData = new Float32Array(N * N);
  const p = K / N;
  let nnz = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      if (i !== j && rand() < p) {
        maskData[i * N + j] = 1;
        nnz++;
      }
    }
  }
  // Keras convention (kernel is [inputs, units]): mask[j][i] = 1 if neuron j feeds neuron i, so the
  // forward product is h·W (the fast, untransposed matMul in the wasm backend).
  const mask = tf.tensor2d(maskData, [N, N]);
  const Wrec = tf.variable(
    tf.tidy(() => tf.mul(tf.randomNormal([N, N], 0, 1 / Math.sqrt(K), 'float32', 1), mask)),
    true,
    'Wrec',
  );
  const Win = tf.variable(tf.randomNormal([D, N], 0, 1 / Math.sqrt(D), 'float32', 2), true, 'Win');
  const bias = tf.variable(tf.zeros([N]), true, 'b');
  const Wout = tf.variable(
    tf.randomNormal([N, O], 0, 1 / Math.sqrt(N), 'float32', 3),
    true,
    'Wout',
  );
  const bout = tf.variable(tf.zeros([O]), true, 'bout');
  const vars = [Wrec, Win, bias, Wout, bout];
  // inputs x[b][t][d] at flat index (b*T + t)*D + d, split per time step: xs[t] is [B, D]
  const xData = new Float32Array(B * T * D);
  for (let i = 0; i < xData.length; i++) xData[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const xs = tf.tidy(() => tf.unstack(tf.tensor3d(xData, [B, T, D]), 1));
  const labels = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: B }, (_, b) => b % O),
        'int32',
      ),
      O,
    ),
  );
  await Wrec.data(); // make sure the build is finished
  const buildMs = performance.now() - t0;
  console.error(`built: nnz=${nnz} in ${buildMs.toFixed(1)} ms`);

  // --- model ---
  const optimizer = tf.train.adam(LR);
  function logitsOf() {
    const W = tf.mul(Wrec, mask); // effective sparse weight (gradient is masked too)
    let h = tf.zeros([B, N]); // rows = batch
    for (let t = 0; t < T; t++) {
      // h_t = tanh(h_{t-1} W + x_t W_in + b)   (row vectors; W[j][i] is the weight j -> i)
      h = tf.tanh(tf.add(tf.add(tf.matMul(h, W), tf.matMul(xs[t], Win)), bias));
    }
    return tf.add(tf.matMul(h, Wout), bout);
  }
  const lossFn = () => tf.losses.softmaxCrossEntropy(labels, logitsOf()); // mean over the batch
  function trainStep() {
    const loss = optimizer.minimize(lossFn, true, vars);
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }
  function forward() {
    tf.tidy(() => logitsOf().dataSync());
  }

  phase = 'warm-up training step';
  trainStep(); // warm-up
  phase = 'timed training steps';
  const train = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    const loss = trainStep();
    train.push(performance.now() - t0);
    console.error(
      `train ${r}: ${train.at(-1).toFixed(1)} ms, loss ${loss.toFixed(4)}, tensors ${tf.memory().numTensors}`,
    );
  }
  phase = 'forward passes';
  forward(); // warm-up
  const fwd = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    forward();
    fwd.push((performance.now() - t0) / T);
  }
  finish({
    status: 'ok',
    build_ms: buildMs,
    train_step_ms: median(train),
    forward_step_ms: median(fwd),
    notes: `${notes}, mask nnz=${nnz}, wasm heap ${heapMB().toFixed(0)} MB`,
  });
} catch (e) {
  fail(e);
}

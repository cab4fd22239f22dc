// What the live charts show, read from the network between two training steps (in the
// worker): degrees and their tests, a sample of the connectivity, and one test trial's output.
// Only small arrays cross to the page; the network itself stays in the worker.
import { predict } from '../../dist/browser.js';

/** Neurons shown in the connectivity picture (the first ones; the graph is random anyway). */
const SAMPLE = 40;

export function takeSnapshot(net, trial) {
  const { neurons, k, loss, outputs } = net.config;
  return {
    steps: net.steps,
    neurons,
    k,
    inDegree: net.inDegree(),
    outDegree: net.outDegree(),
    inP: net.inDegreeTest().pValue,
    outP: net.outDegreeTest().pValue,
    connectivity: sampleConnectivity(net),
    trial: {
      ...trial,
      outputs,
      loss,
      readoutSteps: net.config.readoutSteps,
      y: trialOutput(net, trial, loss, outputs),
    },
  };
}

/** Rows 0..SAMPLE-1 of the recurrent matrix, restricted to partners in 0..SAMPLE-1. */
function sampleConnectivity(net) {
  const m = net.recurrentMatrix();
  const size = Math.min(SAMPLE, net.config.neurons);
  const rows = [];
  for (let i = 0; i < size; i++) {
    const row = [];
    for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++)
      if (m.indices[e] < size) row.push([m.indices[e], m.learned[e] === 1]);
    rows.push(row);
  }
  return { size, rows };
}

/** The network's output over time for one trial: class probabilities (softmax) or values. */
function trialOutput(net, trial, loss, outputs) {
  const raw = predict(net, trial, { perStep: true }); // [step][output]
  if (loss !== 'cross_entropy') return raw;
  const p = new Float32Array(raw.length);
  for (let at = 0; at < raw.length; at += outputs) {
    const row = raw.subarray(at, at + outputs);
    const max = Math.max(...row);
    let sum = 0;
    for (let c = 0; c < outputs; c++) sum += Math.exp(row[c] - max);
    for (let c = 0; c < outputs; c++) p[at + c] = Math.exp(row[c] - max) / sum;
  }
  return p;
}

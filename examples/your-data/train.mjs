// Trains a sparse RNN on your own data: the file make_data.py writes.
//   python3 make_data.py && node train.mjs
import { init, loadDatasetFile, splitDataset, standardize, SparseRNN, fit, evaluate } from 'sqrtk';

await init(); // load the WebAssembly core (once)

// Read the .npz: x [B, T, D] and labels [B]. `notes` says what was converted (e.g. float64).
const loaded = await loadDatasetFile('mydata.npz');
for (const note of loaded.notes) console.log(note);
const [sequences, steps, inputs] = loaded.data.shape;
console.log(
  `${sequences} sequences of ${steps} steps, ${inputs} inputs, ${loaded.outputs} classes`,
);

// Hold out 20% for testing (the same classes in the same proportions), seeded.
const { train, test } = splitDataset(loaded.data, { test: 0.2, seed: 1 });
// Each input gets mean 0 and sd 1, using the training set's statistics for both sets.
const scaled = standardize(train, test);

// 300 neurons with ~30 random inputs each, plus round(√30) = 5 learned synapses per neuron
// whose partners the 'sampled' strategy picks during training.
const net = new SparseRNN({
  inputs,
  outputs: loaded.outputs,
  neurons: 300,
  k: 30,
  growth: 'sampled',
  seed: 1,
});

// 15 passes over the training set; print the test accuracy after each.
await fit(net, scaled.train, {
  epochs: 15,
  validation: scaled.test,
  onProgress: (e) => {
    if (e.type === 'epoch')
      console.log(`epoch ${e.record.epoch}: test accuracy ${e.record.valAccuracy.toFixed(3)}`);
  },
});

const result = evaluate(net, scaled.test);
console.log(`final test accuracy ${result.accuracy.toFixed(3)} (chance 0.333)`);
net.free(); // release the network's WebAssembly memory

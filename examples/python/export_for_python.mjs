// Trains a small network on the digits, exports it as network.npz, and saves 20 test
// sequences with sqrtk's outputs at every step (check.json), for check_export.py.
//   node export_for_python.mjs && python3 check_export.py
import { writeFileSync } from 'node:fs';
import { init, datasets, SparseRNN, fit, evaluate, predict, exportNetwork } from 'sqrtk';

await init();
const { train, test } = datasets.digits(); // 8 steps of 8 pixels, 10 classes
const net = new SparseRNN({ inputs: 8, outputs: 10, neurons: 200, k: 20, seed: 1 });
await fit(net, train, { epochs: 3 });
console.log('test accuracy', evaluate(net, test).accuracy.toFixed(3));

// network.npz holds indptr, indices, data (the recurrent CSR matrix), learned, w_in, bias,
// w_out, b_out; config.json holds every option (dynamics, activation, ...).
for (const [name, bytes] of Object.entries(exportNetwork(net, 'npz'))) writeFileSync(name, bytes);

// The first 20 test sequences and the network's outputs at every step, [20, 8, 10].
const count = 20;
const [, steps, inputs] = test.shape;
const x = test.x.slice(0, count * steps * inputs);
const outputs = predict(net, { x, shape: [count, steps, inputs] }, { perStep: true });
const check = { shape: [count, steps, inputs], x: Array.from(x), outputs: Array.from(outputs) };
writeFileSync('check.json', JSON.stringify(check));
console.log('wrote network.npz, config.json, check.json');
net.free();

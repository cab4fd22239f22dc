// Shared by the schedule tests: a small digits subset, a validation set that gets worse as the
// network learns, and fits that keep every checkpoint so a resume can start from any of them.
import {
  datasets,
  fit,
  SparseRNN,
  type Dataset,
  type FitOptions,
  type FitState,
} from '../ts/node/index.js';
import { subset } from '../ts/dataset/split.js';

export const net = { inputs: 8, outputs: 10, neurons: 40, k: 4, seed: 5 };

/** 192 digits, and the same digits with every label shifted by one (`wrong`): the better the
 * network learns, the worse it scores on `wrong`, so validation stops improving early. */
export const data: { train: Dataset; wrong: Dataset } = (() => {
  const train = subset(datasets.digits().train, [...Array(192).keys()]);
  const wrong = { ...train, labels: train.labels!.map((l) => (l + 1) % 10) };
  return { train, wrong };
})();

/** Runs a fit, keeping every checkpoint (with the network's bytes and the latest best). */
export async function recorded(options: FitOptions) {
  const network = new SparseRNN(net);
  const checkpoints: { state: FitState; bytes: Uint8Array; best?: Uint8Array }[] = [];
  const hashes: string[] = [];
  let best: Uint8Array | undefined;
  const history = await fit(network, data.train, {
    ...options,
    onBest: (bytes) => void (best = bytes),
    onCheckpoint: (state) => void checkpoints.push({ state, bytes: network.save(), best }),
    onProgress: (e) => e.type === 'epoch' && hashes.push(network.stateHash()),
  });
  const hash = network.stateHash();
  network.free();
  return { history, checkpoints, hashes, hash };
}

/** Resumes from checkpoint `i` of a recorded run and returns the final hash and history. */
export async function resumedFrom(
  run: Awaited<ReturnType<typeof recorded>>,
  i: number,
  options: FitOptions,
) {
  const c = run.checkpoints[i];
  using network = SparseRNN.load(c.bytes);
  const history = await fit(network, data.train, {
    ...options,
    resume: c.state,
    resumeBest: c.best,
  });
  return { history, hash: network.stateHash() };
}

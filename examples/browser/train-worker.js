// The training runs here, in a Worker: a page's main thread may not block, and the threaded
// build needs to (it waits for its helper threads). In a page served with COOP/COEP headers,
// init() uses all cores; otherwise it loads the single-threaded build. Results are the same.
import { init, SparseRNN, fit, evaluate, datasets, threadCount } from '../../dist/browser.js';

self.onmessage = async ({ data: options }) => {
  const say = (text) => self.postMessage({ type: 'line', text });
  await init();
  say(
    `sqrtk loaded: ${threadCount()} thread(s), cross-origin isolated: ${self.crossOriginIsolated}`,
  );

  const { train, test } = datasets.digits();
  const neurons = options.neurons ?? 1000;
  const net = new SparseRNN({
    inputs: 8,
    outputs: 10,
    neurons,
    k: neurons / 10,
    growth: 'sampled',
    seed: 1,
  });
  say(`network: ${neurons} neurons, ${net.inDegree().reduce((a, b) => a + b, 0)} synapses`);

  const epochs = options.epochs ?? 5;
  const started = performance.now();
  await fit(net, train, {
    epochs,
    rewireEvery: 25,
    validation: test,
    onProgress: (e) => {
      if (e.type === 'batch')
        self.postMessage({
          type: 'progress',
          fraction: (e.epoch - 1 + e.batch / e.batches) / epochs,
        });
      else
        say(
          `epoch ${e.record.epoch}: loss ${e.record.loss.toFixed(3)}, test accuracy ${e.record.valAccuracy.toFixed(3)}`,
        );
    },
  });
  const result = {
    accuracy: evaluate(net, test).accuracy,
    stateHash: net.stateHash(),
    threads: threadCount(),
    seconds: (performance.now() - started) / 1000,
    rewires: net.rewireCounts(),
  };
  say(
    `done in ${result.seconds.toFixed(1)} s: test accuracy ${result.accuracy.toFixed(3)}, state ${result.stateHash}`,
  );
  net.free();
  self.postMessage({ type: 'done', result });
};

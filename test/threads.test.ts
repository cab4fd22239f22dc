// Same seed ⇒ bit-identical results whatever the number of threads (each process sets its
// thread count once, so every count runs in its own child process).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

const PROGRAM = `
import { init, SparseRNN, fit, datasets, threadCount } from '${join(root, 'dist', 'node.js')}';
const threads = Number(process.argv[2]);
await init({ threads });
const { train } = datasets.digits();
const results = [];
// The last one draws private noise and random initial states (each neuron its own substream).
const noisy = { dynamics: 'rate', noise: 0.2, initialState: 'random' };
for (const [growth, extra] of [['random', {}], ['gradient', {}], ['sampled', {}], ['gradient', noisy]]) {
  const net = new SparseRNN({ inputs: 8, outputs: 10, neurons: 600, k: 30, growth, seed: 7, ...extra });
  const history = await fit(net, train, { epochs: 1, batchSize: 48, rewireEvery: 5 });
  results.push({ growth, extra, hash: net.stateHash(), loss: history.epochs[0].loss });
  net.free();
}
console.log(JSON.stringify({ threads: threadCount(), results }));
`;

describe('threads', () => {
  it('1, 2, 3 and 8 threads give bit-identical networks and metrics', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-threads-')), 'run.mjs');
    writeFileSync(file, PROGRAM);
    const run = (threads: number) =>
      JSON.parse(
        execFileSync('node', [file, String(threads)], { encoding: 'utf8', timeout: 120_000 }),
      );
    const one = run(1);
    expect(one.threads).toBe(1);
    for (const threads of [2, 3, 8]) {
      const many = run(threads);
      expect(many.threads).toBe(threads);
      expect(many.results).toEqual(one.results);
    }
  });
});

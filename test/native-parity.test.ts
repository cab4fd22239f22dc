// Native and WebAssembly builds of the core must produce bit-identical networks: the same
// recipe trained through both gives the same state hash.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, SparseRNN } from '../ts/node/index.js';

const inputs = (len: number) =>
  Float32Array.from({ length: len }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);

function wasmHash(
  options: ConstructorParameters<typeof SparseRNN>[0],
  size: number,
  steps: number,
  updates: number,
) {
  using net = new SparseRNN(options);
  const x = inputs(size * steps * net.config.inputs);
  const labels = Int32Array.from({ length: size }, (_, s) => s % net.config.outputs);
  for (let u = 0; u < updates; u++)
    net.trainBatch({ x, shape: [size, steps, net.config.inputs], labels }, 0.01, 1);
  return { hash: net.stateHash(), config: net.config };
}

function nativeHash(config: object, size: number, steps: number, updates: number) {
  const args = [
    'run',
    '--quiet',
    '--release',
    '-p',
    'sqrtk-core',
    '--bin',
    'state_hash',
    '--',
    JSON.stringify(config),
    `${size}`,
    `${steps}`,
    `${updates}`,
  ];
  return execFileSync('cargo', args, { encoding: 'utf8' }).trim();
}

describe('native and WebAssembly builds agree bit for bit', () => {
  beforeAll(() => init());

  const cases = [
    {
      name: 'discrete tanh, batch 37',
      options: { inputs: 5, neurons: 300, outputs: 4, k: 20, seed: 3 },
      size: 37,
      steps: 6,
    },
    {
      name: 'rate relu, frozen backbone, batch 8',
      options: {
        inputs: 3,
        neurons: 200,
        outputs: 3,
        k: 15,
        dynamics: 'rate',
        activation: 'relu',
        trainBackbone: false,
        readoutSteps: 3,
        seed: 9,
      } as const,
      size: 8,
      steps: 7,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const wasm = wasmHash(c.options, c.size, c.steps, 5);
      expect(nativeHash(wasm.config, c.size, c.steps, 5)).toBe(wasm.hash);
    });
  }
});

// Out-degrees: what each neuron sends, counted in the core, and their test against the random
// graph's Binomial(N − 1, K/N) (the in-degree test's twin).
import { beforeAll, describe, expect, it } from 'vitest';
import { init, SparseRNN } from '../ts/node/index.js';

beforeAll(() => init({ threads: 1 }));

describe('out-degree', () => {
  it('counts every synapse by its presynaptic neuron, and learned ones apart', () => {
    using net = new SparseRNN({ inputs: 2, outputs: 2, neurons: 300, k: 20, seed: 4 });
    const m = net.recurrentMatrix();
    const all = new Uint32Array(300);
    const learned = new Uint32Array(300);
    m.indices.forEach((j, e) => {
      all[j]++;
      if (m.learned[e] === 1) learned[j]++;
    });
    expect(Array.from(net.outDegree())).toEqual(Array.from(all));
    expect(Array.from(net.outDegree({ learnedOnly: true }))).toEqual(Array.from(learned));
    expect(learned.reduce((a, b) => a + b, 0)).toBe(300 * net.config.learned);
  });

  it('the random graph passes the test; M learned synapses per neuron in add mode shift it', () => {
    const options = { inputs: 2, outputs: 2, neurons: 2000, k: 100, seed: 1 };
    using random = new SparseRNN({ ...options, learned: 0 });
    expect(random.outDegreeTest().pValue).toBeGreaterThan(0.01);
    using added = new SparseRNN({ ...options, learned: 10 });
    expect(added.outDegreeTest().pValue).toBeLessThan(1e-6);
    expect(added.outDegreeTest().dof).toBeGreaterThan(5);
  });
});

// `sqrtk import FILE --out DIR`, and networks built in SciPy.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  datasets,
  exportNetwork,
  fit,
  init,
  loadNetwork,
  loadNetworkFile,
  SparseRNN,
} from '../ts/node/index.js';
import { handleOf } from '../ts/model.js';

const root = resolve(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });

let dir = '';
let originalHash = '';
let original: ReturnType<SparseRNN['recurrentMatrix']>;

beforeAll(async () => {
  await init({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'sqrtk-import-'));
  const net = new SparseRNN({
    inputs: 8,
    outputs: 10,
    neurons: 80,
    k: 9,
    growth: 'gradient',
    seed: 6,
  });
  await fit(net, datasets.digits().train, { epochs: 1, batchSize: 64, rewireEvery: 4 });
  for (const format of ['npz', 'safetensors'] as const) {
    for (const [name, bytes] of Object.entries(exportNetwork(net, format)))
      writeFileSync(join(dir, name), bytes);
  }
  original = net.recurrentMatrix();
  handleOf(net).reset_training_state();
  originalHash = net.stateHash();
  net.free();
});

describe('sqrtk import', () => {
  it('writes a run directory that report and export read, with the same network', async () => {
    const out = join(dir, 'run');
    const r = cli('import', join(dir, 'network.npz'), '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`network options from ${join(dir, 'config.json')}`);
    expect(r.stdout).toContain(`state ${originalHash}`);
    const { net } = loadNetworkFile(join(out, 'model.sqrtk'));
    expect(net.stateHash()).toBe(originalHash);
    net.free();
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ neurons: 80, state_hash: originalHash, rewires: 0 });
    expect(summary.imported_from.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cli('report', out).status).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('80 neurons');
    expect(cli('export', out).status).toBe(0);
    using back = await loadNetwork(join(out, 'export', 'network.npz'), {
      config: JSON.parse(readFileSync(join(out, 'export', 'config.json'), 'utf8')),
    });
    expect(back.recurrentMatrix()).toEqual(original);
    expect(back.stateHash()).toBe(originalHash);
  });

  it('reads the options stored in a .safetensors export', () => {
    const out = join(dir, 'run-st');
    const r = cli('import', join(dir, 'network.safetensors'), '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`state ${originalHash}`);
  });

  it('refuses a directory holding a run without --overwrite, and bad files in one line', () => {
    const out = join(dir, 'run-twice');
    expect(cli('import', join(dir, 'network.npz'), '--out', out).status).toBe(0);
    const again = cli('import', join(dir, 'network.npz'), '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`error: --out (="${out}") holds another run`);
    expect(cli('import', join(dir, 'network.npz'), '--out', out, '--overwrite').status).toBe(0);
    const missing = cli('import', join(dir, 'nothing.npz'), '--out', join(dir, 'x'));
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `error: network file ${join(dir, 'nothing.npz')}: does not exist`,
    );
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ k: 0 }));
    const badConfig = cli(
      'import',
      join(dir, 'network.npz'),
      '--config',
      join(dir, 'bad.json'),
      '--out',
      join(dir, 'y'),
    );
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toMatch(/^error: .*bad\.json: k \(=0\) must be/);
    expect(cli('import', join(dir, 'network.npz')).stderr).toContain(
      '--out (=undefined) is required',
    );
  });
});

const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
const scipy = python.status === 0;
if (!scipy)
  console.warn(
    `SKIPPED the SciPy import tests: python3 with numpy and scipy is not available (${(python.stderr || String(python.error)).trim().split('\n').pop()})`,
  );

describe.skipIf(!scipy)('networks built in SciPy (needs numpy and scipy)', () => {
  it('a connectome from scipy.sparse.save_npz, and arrays with learned flags from np.savez, load', async () => {
    const script = `
import numpy as np, scipy.sparse as sp, sys, json, os
os.chdir(sys.argv[1])
rng = np.random.default_rng(0)
A = sp.random(50, 50, density=0.1, format='csr', random_state=1, dtype=np.float32)
A.setdiag(0); A.eliminate_zeros(); A.sort_indices()
sp.save_npz('connectome.npz', A)
sp.save_npz('connectome-csc.npz', A.tocsc())
# Every row gets two more synapses (a ring), and its first two synapses are the learned ones.
ring = sum(sp.eye(50, k=k, format='csr', dtype=np.float32) for k in (1, 2, -48, -49))
B = (A + ring).tocsr()
B.setdiag(0); B.eliminate_zeros(); B.sort_indices()
learned = np.zeros(B.nnz, dtype=bool)
for i in range(50):
    learned[B.indptr[i]:B.indptr[i] + 2] = True
np.savez('trained.npz', indptr=B.indptr, indices=B.indices.astype(np.int64), data=B.data.astype(np.float64),
         learned=learned, w_in=rng.normal(size=(50, 3)), w_out=rng.normal(size=(4, 50)), b_out=np.zeros(4))
print(json.dumps({'nnz': int(A.nnz), 'degrees': np.diff(A.indptr).tolist(), 'nnzB': int(B.nnz)}))`;
    const facts = JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' }));
    using connectome = await loadNetwork(join(dir, 'connectome.npz'), {
      config: { inputs: 2, outputs: 2 },
    });
    expect(connectome.config).toMatchObject({
      neurons: 50,
      learned: 0,
      k: Math.round(facts.nnz / 50),
    });
    expect(Array.from(connectome.inDegree())).toEqual(facts.degrees);
    await expect(
      loadNetwork(join(dir, 'connectome-csc.npz'), { config: { inputs: 2, outputs: 2 } }),
    ).rejects.toThrow(
      'connectome-csc.npz: holds a sparse matrix in format "csc"; sqrtk reads CSR (row i lists the inputs of neuron i): save A.tocsr()',
    );
    using trained = await loadNetwork(join(dir, 'trained.npz'));
    expect(trained.config).toMatchObject({ neurons: 50, inputs: 3, outputs: 4, learned: 2 });
    expect(Array.from(trained.inDegree()).reduce((a, b) => a + b, 0)).toBe(facts.nnzB);
    const r = cli(
      'import',
      join(dir, 'connectome.npz'),
      '--out',
      join(dir, 'run-scipy'),
      '--config',
      join(dir, 'small.json'),
    );
    expect(r.status).toBe(1); // small.json does not exist
    writeFileSync(
      join(dir, 'small.json'),
      JSON.stringify({ inputs: 2, outputs: 2, learned: 3, growth: 'sampled' }),
    );
    const ok = cli(
      'import',
      join(dir, 'connectome.npz'),
      '--out',
      join(dir, 'run-scipy'),
      '--config',
      join(dir, 'small.json'),
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(
      `imported 50 neurons, ${facts.nnz + 150} synapses (3 learned per neuron)`,
    );
  });
});

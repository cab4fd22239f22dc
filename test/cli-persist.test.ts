// Runs that survive SIGKILL, and the files a finished run can be turned into.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, loadNetworkFile } from '../ts/node/index.js';

const root = resolve(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
const TRAIN = [
  'train',
  '--task',
  'digits',
  '--neurons',
  '300',
  '--k',
  '30',
  '--epochs',
  '3',
  '--growth',
  'gradient',
  '--rewire-every',
  '10',
  '--seed',
  '3',
  '--threads',
  '1',
];

// Long enough (about 2 s uninterrupted) for several kills to land mid-run.
const LONG = [...TRAIN, '--epochs', '6'];

/** Deterministic pseudo-random delays (ms), so a failure can be replayed. */
function* delays(seed: number) {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield 150 + (s % 1100);
  }
}

function killAfter(args: string[], ms: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn('node', ['dist/cli.js', ...args], { cwd: root, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

describe('checkpoints and resume', () => {
  beforeAll(() => init({ threads: 1 }));

  it('a run killed with SIGKILL at random moments resumes to the uninterrupted result', async () => {
    const reference = mkdtempSync(join(tmpdir(), 'sqrtk-ref-'));
    expect(cli(...LONG, '--out', reference).status).toBe(0);
    const expected = JSON.parse(readFileSync(join(reference, 'summary.json'), 'utf8'));

    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-killed-'));
    const delay = delays(7);
    let code = await killAfter(
      [...LONG, '--checkpoint-every', '3', '--out', dir],
      delay.next().value!,
    );
    let kills = 0;
    while (code !== 0) {
      kills++;
      expect(kills).toBeLessThan(40);
      const checkpoint = join(dir, 'checkpoint.sqrtk');
      if (existsSync(checkpoint)) loadNetworkFile(checkpoint).net.free(); // never unreadable
      code = await killAfter(['train', '--resume', dir], delay.next().value!);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.state_hash).toBe(expected.state_hash);
    expect(summary.test_accuracy).toBe(expected.test_accuracy);
    const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).epoch);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 240_000);

  it('a checkpoint write cut short by a crash leaves the previous checkpoint intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-crash-'));
    const args = [...TRAIN.slice(0, -2), '--epochs', '1', '--checkpoint-every', '5'];
    expect(cli(...args, '--out', dir).status).toBe(0);
    const checkpoint = join(dir, 'checkpoint.sqrtk');
    const { net } = loadNetworkFile(checkpoint);
    const hash = net.stateHash();
    net.free();
    // What a writer killed mid-write leaves behind: a partial temporary file beside the checkpoint.
    const partial = `${checkpoint}.tmp-99999`;
    writeFileSync(partial, readFileSync(checkpoint).subarray(0, 1000));
    const again = loadNetworkFile(checkpoint);
    expect(again.net.stateHash()).toBe(hash);
    again.net.free();
    expect(cli('train', '--resume', dir).status).toBe(0);
    expect(existsSync(partial)).toBe(false);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.learned_per_neuron).toBe(5);
  });

  it('stops a diverging run with a clear message and keeps the last good checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-diverge-'));
    const r = cli(
      'train',
      '--neurons',
      '100',
      '--k',
      '10',
      '--epochs',
      '1',
      '--activation',
      'relu',
      '--lr',
      '1',
      '--gain',
      '3',
      '--checkpoint-every',
      '1',
      '--threads',
      '1',
      '--out',
      dir,
    );
    expect(r.status).toBe(1);
    const match =
      /^error: training diverged at optimizer step (\d+) .*lower --lr or --gain\. The last good checkpoint is kept: (.*checkpoint\.sqrtk)$/m.exec(
        r.stderr,
      );
    expect(match, r.stderr).not.toBeNull();
    const { net } = loadNetworkFile(match![2]);
    expect(net.steps).toBe(Number(match![1]) - 1);
    net.free();
  });

  it('explains a bad --resume directory', () => {
    const r = cli('train', '--resume', join(tmpdir(), 'no-such-run'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/resume \(=".*no-such-run"\) has no readable config\.json/);
  });
});

describe('export and report', () => {
  let run = '';
  beforeAll(() => {
    run = mkdtempSync(join(tmpdir(), 'sqrtk-export-'));
    execFileSync('node', ['dist/cli.js', ...TRAIN.slice(0, -2), '--epochs', '1', '--out', run], {
      cwd: root,
      stdio: 'ignore',
    });
  });

  /** An independent .npy reader (format 1.0, little-endian): header dict, then the raw array. */
  function readNpy(bytes: Uint8Array) {
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0x93, 78, 85, 77, 80, 89]);
    const headerLength = bytes[8] + 256 * bytes[9];
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    const descr = /'descr': '([^']+)'/.exec(header)![1];
    const shape = /'shape': \(([^)]*)\)/
      .exec(header)![1]
      .split(',')
      .filter((s) => s.trim())
      .map(Number);
    const body = bytes.slice(10 + headerLength).buffer;
    const data =
      descr === '<f4'
        ? new Float32Array(body)
        : descr === '<i4'
          ? new Int32Array(body)
          : new Uint8Array(body);
    return { descr, shape, data };
  }

  it('exports NPZ that an independent reader turns back into the network', () => {
    const r = cli('export', run, '--format', 'npz');
    expect(r.status, r.stderr).toBe(0);
    const files = unzipSync(readFileSync(join(run, 'export', 'network.npz')));
    const arrays = Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [name.replace('.npy', ''), readNpy(bytes)]),
    );
    const { net } = loadNetworkFile(join(run, 'model.sqrtk'));
    const m = net.recurrentMatrix();
    expect(arrays.indptr.data).toEqual(Int32Array.from(m.indptr));
    expect(arrays.indices.data).toEqual(Int32Array.from(m.indices));
    expect(arrays.data.data).toEqual(m.values);
    expect(arrays.learned.data).toEqual(m.learned);
    expect(arrays.w_in.shape).toEqual([300, 8]);
    expect(arrays.w_out.shape).toEqual([10, 300]);
    expect(arrays.w_out.data).toEqual(net.readoutWeights());
    net.free();
    expect(JSON.parse(readFileSync(join(run, 'export', 'config.json'), 'utf8')).neurons).toBe(300);
  });

  it('exports safetensors and CSV', () => {
    expect(cli('export', run, '--format', 'safetensors').status).toBe(0);
    const bytes = new Uint8Array(readFileSync(join(run, 'export', 'network.safetensors')));
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.w_in).toMatchObject({ dtype: 'F32', shape: [300, 8] });
    expect(JSON.parse(header.__metadata__.config).k).toBe(30);
    const [start, end] = header.indptr.data_offsets;
    const indptr = new Int32Array(
      bytes.slice(8 + headerLength + start, 8 + headerLength + end).buffer,
    );
    expect(indptr.length).toBe(301);

    expect(cli('export', run, '--format', 'csv').status).toBe(0);
    const lines = readFileSync(join(run, 'export', 'recurrent.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('row,col,weight,learned');
    expect(lines.length - 1).toBe(indptr[300]);
    expect(lines.slice(1).filter((l) => l.endsWith(',1')).length).toBe(300 * 5);
    expect(cli('export', run, '--format', 'hdf5').stderr).toMatch(
      /format \(="hdf5"\) must be one of "npz", "safetensors", "csv"/,
    );
  });

  const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  const scipy = python.status === 0;
  if (!scipy)
    console.warn(
      `SKIPPED the SciPy export test: python3 with numpy and scipy is not available (${(python.stderr || String(python.error)).trim().split('\n').pop()})`,
    );
  it.skipIf(!scipy)('the NPZ loads in SciPy as the same CSR matrix (needs numpy and scipy)', () => {
    cli('export', run, '--format', 'npz');
    const script = `import numpy as np, scipy.sparse as sp, sys, json
z = np.load(sys.argv[1])
W = sp.csr_matrix((z['data'], z['indices'], z['indptr']), shape=(300, 300))
print(json.dumps({'nnz': int(W.nnz), 'learned': int(z['learned'].sum()),
  'diagonal': bool(W.diagonal().any()), 'indptr': W.indptr.tolist(),
  'indices': W.indices.tolist(), 'values': W.data.astype(float).tolist()}))`;
    const scipyView = JSON.parse(
      execFileSync('python3', ['-c', script, join(run, 'export', 'network.npz')], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      }),
    );
    const { net } = loadNetworkFile(join(run, 'model.sqrtk'));
    const m = net.recurrentMatrix();
    net.free();
    expect(scipyView.nnz).toBe(m.indices.length);
    expect(scipyView.learned).toBe(300 * 5);
    expect(scipyView.diagonal).toBe(false);
    expect(scipyView.indptr).toEqual(Array.from(m.indptr));
    expect(scipyView.indices).toEqual(Array.from(m.indices));
    expect(scipyView.values).toEqual(Array.from(m.values)); // float32 → float64 is exact
  });

  it('explains a run directory that report or export cannot use, in one line', () => {
    const broken = mkdtempSync(join(tmpdir(), 'sqrtk-broken-'));
    cpSync(run, broken, { recursive: true });
    rmSync(join(broken, 'export'), { recursive: true, force: true });
    const metrics = join(broken, 'metrics.jsonl');
    const good = readFileSync(metrics, 'utf8');
    const expectOneLine = (args: string[], message: RegExp) => {
      const r = cli(...args);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n'), r.stderr).toEqual([expect.stringMatching(message)]);
    };
    writeFileSync(metrics, good + '{"epoch": 2,\n');
    expectOneLine(
      ['report', broken],
      /^error: .*metrics\.jsonl:2: is not valid JSON \(.*\); fix or delete that line/,
    );
    rmSync(metrics);
    expectOneLine(
      ['report', broken],
      /^error: .*metrics\.jsonl: does not exist; is this the --out directory/,
    );
    writeFileSync(metrics, good);
    writeFileSync(join(broken, 'config.json'), 'null');
    expectOneLine(['report', broken], /^error: .*config\.json: holds null, not an object;/);
    writeFileSync(join(broken, 'export'), 'a file where the export directory goes');
    expectOneLine(
      ['export', broken],
      /^error: .*export: cannot be written: a file of that name is in the way; move it or choose another path$/,
    );
  });

  it('writes a self-contained HTML report', () => {
    const r = cli('report', run);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|(src|href)="https?:/); // no scripts, nothing fetched
    for (const title of [
      'Loss',
      'Accuracy',
      'Backbone in-degree',
      'Final in-degree',
      'Final out-degree',
      'Learned synapse weights',
      'Turnover per rewiring',
      'Activity of 6 neurons',
      'trial 1: inputs',
      'trial 1: target (dashed) and output',
      'trial 2: inputs',
      'trial 2: target (dashed) and output',
    ]) {
      expect(html).toContain(title);
    }
    expect((html.match(/<svg/g) ?? []).length).toBe(12); // 8 about the network, 2 × 2 trials
    // The summary table shows numbers to the digits they mean, times with their unit.
    const cells = [...html.matchAll(/<tr><th>(\w+)<\/th><td>([^<]*)<\/td><\/tr>/g)];
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    expect(cells.length).toBeGreaterThan(10);
    for (const [, key, text] of cells) {
      const digits = text.replace(/e.*$/, '').replace(/^-?0\.0*|[^0-9]/g, '');
      if (typeof summary[key] === 'number' && !Number.isInteger(summary[key]))
        expect(digits.length, `${key}: ${text}`).toBeLessThanOrEqual(3);
    }
    expect(html).toMatch(/<th>train_seconds<\/th><td>[\d.]+ s<\/td>/);
    expect(html).toContain(`<th>state_hash</th><td>${summary.state_hash}</td>`);
  });
});

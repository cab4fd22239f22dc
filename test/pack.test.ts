// Users of the published package need no Rust: the npm tarball must hold the built .wasm, the
// JavaScript and the type declarations. Install it into an empty project and use it from ESM,
// CommonJS and TypeScript.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
let project = '';

const TRAIN_TINY = `
  await init();
  const { train, test } = datasets.digits();
  const net = new SparseRNN({ inputs: 8, outputs: 10, neurons: 60, k: 6, seed: 1 });
  await fit(net, train, { epochs: 1 });
  console.log(JSON.stringify({ accuracy: evaluate(net, test).accuracy, hash: net.stateHash(), learned: net.config.learned }));
  net.free();
`;

describe('npm package', () => {
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'sqrtk-pack-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true }),
    );
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(project, tarball)],
      { cwd: project, stdio: 'ignore' },
    );
  }, 120_000);

  it('works from an ES module and from CommonJS with identical results', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { init, SparseRNN, fit, evaluate, datasets } from 'sqrtk';\n${TRAIN_TINY}`,
    );
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { init, SparseRNN, fit, evaluate, datasets } = require('sqrtk');\n(async () => {${TRAIN_TINY}})();`,
    );
    const esm = JSON.parse(execFileSync('node', ['esm.mjs'], { cwd: project, encoding: 'utf8' }));
    const cjs = JSON.parse(execFileSync('node', ['cjs.cjs'], { cwd: project, encoding: 'utf8' }));
    expect(esm.accuracy).toBeGreaterThan(0.2);
    expect(esm.learned).toBe(2);
    expect(cjs).toEqual(esm);
  });

  it('ships type declarations that resolve', () => {
    writeFileSync(
      join(project, 'typed.ts'),
      `import { SparseRNN, type NetworkOptions, type History } from 'sqrtk';\n` +
        `const options: NetworkOptions = { inputs: 8, outputs: 10, neurons: 100, k: 10 };\n` +
        `export const make = (): SparseRNN => new SparseRNN(options);\n` +
        `export const epochs = (h: History): number => h.epochs.length;\n` +
        `// @ts-expect-error: 'neurons' must be a number\n` +
        `export const bad: NetworkOptions = { inputs: 8, outputs: 10, neurons: 'many', k: 10 };\n`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      'false',
      '--types',
      'node',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
      'typed.ts',
    ];
    expect(() =>
      execFileSync('node', [tsc, ...flags], { cwd: project, encoding: 'utf8' }),
    ).not.toThrow();
  });

  it('runs the CLI installed as a bin', () => {
    const out = join(project, 'run');
    execFileSync(
      join(project, 'node_modules', '.bin', 'sqrtk'),
      ['train', '--neurons', '60', '--k', '6', '--epochs', '1', '--out', out],
      { cwd: project, stdio: 'ignore' },
    );
    expect(
      execFileSync(
        'node',
        ['-e', `console.log(require('${out}/summary.json').learned_per_neuron)`],
        { encoding: 'utf8' },
      ).trim(),
    ).toBe('2');
  });
});

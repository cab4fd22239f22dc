// The README's first program must run as printed (with fewer epochs, to stay fast).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

describe('README', () => {
  it('the first TypeScript example runs and prints a test accuracy', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    expect(example).toContain("from 'sqrtk'");
    const program = example
      .replace("from 'sqrtk'", `from '${join(root, 'dist', 'node.js')}'`)
      .replace('epochs: 20', 'epochs: 1');
    const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-readme-')), 'example.mjs');
    writeFileSync(file, program);
    const output = execFileSync('node', [file], { encoding: 'utf8' });
    const accuracy = Number(/test accuracy ([\d.]+)/.exec(output)![1]);
    expect(accuracy).toBeGreaterThan(0.5);
    expect(output).toMatch(/in-degree of neuron 0: \d+ of which learned: 10/);
  });
});

// The README's "Tasks" example runs as printed (with fewer trials, to stay fast).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

describe('README', () => {
  it('the "Tasks" example trains on a generated task and prints its test accuracy', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Tasks'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(example).toContain('tasks.perceptualDecision');
    const program = example
      .replace("from 'sqrtk'", `from '${join(root, 'dist', 'node.js')}'`)
      .replace('trials: 2000', 'trials: 600');
    const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-readme-tasks-')), 'example.mjs');
    writeFileSync(file, program);
    const output = execFileSync('node', [file], { encoding: 'utf8' });
    // Scored steps are mostly fixation steps, which a trained network gets right.
    expect(Number(/test accuracy \(scored steps\) ([\d.]+)/.exec(output)![1])).toBeGreaterThan(0.8);
  });
});

// `npm test`: build if needed, then the Rust tests (native) and the vitest suite (WebAssembly),
// ending with one plain line: `tests: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, setup } from './setup.mjs';

setup();
let passed = 0;
let failed = 0;

console.error('> cargo test --workspace --lib --tests');
const cargo = spawnSync('cargo', ['test', '--workspace', '--lib', '--tests'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.stdout.write(cargo.stdout);
for (const [, p, f] of cargo.stdout.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
  passed += Number(p);
  failed += Number(f);
}
if (cargo.status !== 0 && failed === 0) failed = 1; // a build failure counts as a failure

// The 2·10^8-synapse test (4 GiB of WebAssembly memory, two cores for a minute or more) runs
// alone after the others, so that it does not slow them past their timeouts.
const ALONE = 'test/scale.test.ts';
let vitestOk = true;
for (const [name, args] of [
  ['vitest run', ['--exclude', ALONE]],
  [`vitest run ${ALONE}`, [ALONE]],
]) {
  console.error(`> ${name}`);
  const report = join(root, 'target', 'vitest-report.json');
  rmSync(report, { force: true });
  const vitest = spawnSync(
    'npx',
    ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { cwd: root, stdio: 'inherit' },
  );
  let counted = false;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests + json.numFailedTestSuites;
    counted = json.numFailedTests + json.numFailedTestSuites > 0;
  } catch {
    failed += 1;
    counted = true;
  }
  if (vitest.status !== 0) {
    vitestOk = false;
    if (!counted) failed += 1;
  }
}

console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && cargo.status === 0 && vitestOk ? 0 : 1);

// Shared by `npm run demo`, `npm test` and `npm run build`: installs what is missing and builds.
//   1. npm packages (npm ci) if node_modules is missing or older than package-lock.json;
//   2. the embedded digits data module (ts/generated/digits.ts);
//   3. the WebAssembly core (scripts/build-wasm.sh: Rust → wasm32 + wasm-bindgen → pkg/);
//   4. the JavaScript bundles and type declarations (tsup → dist/, with the .wasm beside them).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function run(command, args, options = {}) {
  console.error(`> ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit', ...options });
}

function depsMissing() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  return (
    !existsSync(marker) ||
    statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs
  );
}

export function setup() {
  if (depsMissing()) run('npm', ['ci', '--no-audit', '--no-fund']);
  run('node', ['scripts/gen-digits.mjs']);
  run('bash', ['scripts/build-wasm.sh']);
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run('npx', ['tsup', '--silent']);
  copyFileSync(join(root, 'pkg', 'sqrtk_wasm_bg.wasm'), join(root, 'dist', 'sqrtk_wasm_bg.wasm'));
  if (existsSync(join(root, 'pkg-threads'))) {
    copyFileSync(
      join(root, 'pkg-threads', 'sqrtk_wasm_bg.wasm'),
      join(root, 'dist', 'sqrtk_wasm_bg.threads.wasm'),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) setup();

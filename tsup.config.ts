import { defineConfig } from 'tsup';

// Three bundles: the Node library (ESM + CJS), the browser library (ESM) and the CLI.
// The build script empties dist/ first (no `clean` here: the three builds run in parallel).
// `shims: true` makes `import.meta.url` work in the CJS build (used to locate the .wasm file).
export default defineConfig([
  {
    entry: { node: 'ts/node/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node20',
    dts: true,
    shims: true,
    // ESM-only packages, bundled so that require('sqrtk') works on every Node ≥ 20.
    noExternal: ['ml-levenberg-marquardt', 'is-any-array'],
    sourcemap: true,
    outDir: 'dist',
  },
  {
    entry: { browser: 'ts/browser/index.ts' },
    // Self-contained: a page can import dist/browser.js without a bundler.
    noExternal: ['fflate', /^ml-/, 'is-any-array', /^d3-/, 'internmap'],
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: true,
    sourcemap: true,
    outDir: 'dist',
  },
  {
    // Worker threads of the threaded build (each instantiates the shared module).
    entry: { 'worker-node': 'ts/node/worker.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
  },
  {
    entry: { 'worker-browser': 'ts/browser/worker.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    outDir: 'dist',
  },
  {
    entry: { cli: 'ts/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    shims: true,
    sourcemap: true,
    outDir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
]);

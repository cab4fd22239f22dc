// `npm test`: build if needed, then the Rust tests (native) and the vitest suite (WebAssembly).
import { run, setup } from './setup.mjs';

setup();
run('cargo', ['test', '--workspace', '--quiet']);
run('npx', ['vitest', 'run']);

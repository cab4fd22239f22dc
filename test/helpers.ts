// Small helpers shared by the test files.
import type { SqrtkError } from '../ts/node/index.js';

/** The error `f` throws (the test fails when it throws nothing). */
export function thrown(f: () => unknown): SqrtkError {
  try {
    f();
  } catch (e) {
    return e as SqrtkError;
  }
  throw new Error('expected an error');
}

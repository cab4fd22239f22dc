// A hash of a dataset's bytes, shared by the Node tests and (as source text) the browser page.

/**
 * FNV-1a (32 bits) over the bytes of x, labels, targets and mask, in that order, as 8 hex
 * digits. Self-contained (no imports, no closures) so that its source can run in a page.
 */
export function datasetHash(d: {
  x: Float32Array;
  labels?: Int32Array;
  targets?: Float32Array;
  mask?: Float32Array;
}): string {
  let h = 0x811c9dc5;
  for (const a of [d.x, d.labels, d.targets, d.mask]) {
    const bytes = a ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array([0]);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// Shared by the baseline bench scripts: arguments, the seeded generator, the common inputs.

/** `--neurons N --k K --batch B --steps T --reps R` (plus boolean flags named in `defaults`). */
export function parseArgs(argv, defaults = {}) {
  const a = { neurons: 1000, k: 100, batch: 32, steps: 20, reps: 3, ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (typeof a[key] === 'boolean') a[key] = true;
    else if (key in a) a[key] = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

/** A seeded 32-bit generator (mulberry32): uniform numbers in [0, 1). */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function normal(rand) {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function median(values) {
  const s = [...values].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The common inputs: x[i] = ((i · 7919) mod 1000)/1000 − 0.5 over [B][T][D], labels[b] = b mod O. */
export function makeInputs(B, T, D = 8, O = 10) {
  const x = new Float32Array(B * T * D);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const labels = new Int32Array(B);
  for (let b = 0; b < B; b++) labels[b] = b % O;
  return { x, labels };
}

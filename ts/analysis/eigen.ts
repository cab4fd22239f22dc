/**
 * Leading eigenvalues of a large sparse matrix by the Arnoldi iteration (Arnoldi 1951; Saad
 * 2011, "Numerical methods for large eigenvalue problems", §6.2): orthonormal Krylov vectors
 * from a fixed pseudo-random start (the matrix applied by a callback, Gram–Schmidt done twice),
 * and the eigenvalues of the small Hessenberg matrix H (the Ritz values, by ml-matrix's
 * EigenvalueDecomposition), which approximate the matrix's leading ones: KRYLOV vectors first,
 * then KRYLOV_STEP more at a time until the leading Ritz pair's residual is below
 * RITZ_TOLERANCE, at most MAX_KRYLOV. Ritz values converge first where the eigenvalues are
 * separated from the rest; in a crowded bulk the later ones are approximate.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface Eigenvalue {
  re: number;
  im: number;
}

/** Arnoldi: first KRYLOV vectors, then KRYLOV_STEP more until converged, at most MAX_KRYLOV. */
const KRYLOV = 40;
const KRYLOV_STEP = 20;
const MAX_KRYLOV = 200;
/** Arnoldi stops when the leading Ritz pair's relative residual is at most this. */
const RITZ_TOLERANCE = 1e-10;

/**
 * The Ritz values of `apply` (see the file header): Arnoldi steps from a fixed start, KRYLOV of
 * them, then KRYLOV_STEP more at a time until the leading Ritz pair's residual ‖J v − θ v‖ (that
 * is |h_{m+1,m}| · |y_m| for the unit eigenvector y of H) is below RITZ_TOLERANCE · |θ|, the
 * Krylov space is invariant, or MAX_KRYLOV steps are done.
 */
export function ritzValues(
  n: number,
  apply: (v: Float64Array, out: Float64Array) => void,
): Eigenvalue[] {
  const limit = Math.min(MAX_KRYLOV, n);
  const basis: Float64Array[] = [startVector(n)];
  const h = Matrix.zeros(limit + 1, limit);
  let m = 0;
  for (;;) {
    let invariant = false;
    for (
      const end = Math.min(limit, m === 0 ? KRYLOV : m + KRYLOV_STEP);
      m < end && !invariant;
      m++
    ) {
      const w = new Float64Array(n);
      apply(basis[m], w);
      for (let pass = 0; pass < 2; pass++)
        for (let i = 0; i <= m; i++) {
          const c = dot(basis[i], w);
          h.set(i, m, h.get(i, m) + c);
          for (let k = 0; k < n; k++) w[k] -= c * basis[i][k];
        }
      const norm = Math.sqrt(dot(w, w));
      h.set(m + 1, m, norm);
      invariant = norm < 1e-12; // the Krylov space is invariant: its Ritz values are exact
      basis.push(w.map((v) => v / norm));
    }
    const evd = new EigenvalueDecomposition(h.subMatrix(0, m - 1, 0, m - 1), {
      assumeSymmetric: false,
    });
    const [re, im] = [evd.realEigenvalues, evd.imaginaryEigenvalues];
    const values = re.map((r, k) => ({ re: r, im: im[k] }));
    if (invariant || m >= limit || leadingResidual(evd, h.get(m, m - 1)) <= RITZ_TOLERANCE)
      return values;
  }
}

/** |h_{m+1,m}| · |y_m| / |θ| for the leading Ritz pair (θ, y) of H's decomposition `evd`. */
function leadingResidual(evd: EigenvalueDecomposition, next: number): number {
  const [re, im] = [evd.realEigenvalues, evd.imaginaryEigenvalues];
  let k = 0;
  for (let i = 1; i < re.length; i++)
    if (Math.hypot(re[i], im[i]) > Math.hypot(re[k], im[k])) k = i;
  // A complex pair keeps its eigenvector's real and imaginary parts in two adjacent columns.
  const columns = im[k] === 0 ? [k] : im[k] > 0 ? [k, k + 1] : [k - 1, k];
  const y = evd.eigenvectorMatrix;
  const last = y.rows - 1;
  let [norm, end] = [0, 0];
  for (const c of columns) {
    for (let i = 0; i <= last; i++) norm += y.get(i, c) ** 2;
    end += y.get(last, c) ** 2;
  }
  return (Math.abs(next) * Math.sqrt(end / norm)) / Math.hypot(re[k], im[k]);
}

/** A fixed unit vector of pseudo-random entries (a 32-bit xorshift), so results repeat. */
function startVector(n: number): Float64Array {
  const v = new Float64Array(n);
  let state = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    v[i] = (state >>> 0) / 2 ** 32 - 0.5;
  }
  const norm = Math.sqrt(dot(v, v));
  return v.map((x) => x / norm);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

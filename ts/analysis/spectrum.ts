/**
 * The eigenvalue spectrum of a network's recurrent matrix W (W_ij: the weight of synapse j → i).
 * Up to MAX_EXACT neurons it is exact: W is made dense and decomposed by ml-matrix's
 * EigenvalueDecomposition (Hessenberg reduction and shifted QR, after EISPACK's hqr2), O(N³)
 * time and 8·N² bytes. Above, the LEADING eigenvalues of largest |λ| come from the Arnoldi
 * iteration of eigen.ts (W applied sparsely, O(nnz) per step; up to MAX_ARNOLDI neurons, whose
 * Krylov vectors take 8·N·200 bytes at most). Ritz values converge first where eigenvalues stand
 * apart (the outliers training makes); on the edge of a random matrix's crowded disc they are
 * approximate, so the radius is then a lower estimate.
 *
 * The random graph's reference is the circular law (Girko 1984; for sparse random matrices
 * Tao & Vu 2010): with standard scaling each synapse exists with probability K/N and has a
 * weight of mean 0 and variance gain²/K, so an entry has variance gain²/N and the eigenvalues
 * fill the disc of radius √(N · gain²/N) = gain as N grows. With Dale's law and standard
 * scaling the E and I magnitudes are set so that each row's expected E and I inputs cancel and
 * its variance stays gain²/K (populations.rs), so the bulk keeps radius ≈ gain (Rajan & Abbott
 * 2006, Phys. Rev. Lett. 97:188104). Balanced scaling gives the entries
 * non-zero means per population, which put outliers outside any disc; no radius is given then.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { optionError } from '../errors.js';
import type { SparseRNN } from '../model.js';
import { ritzValues } from './eigen.js';

/** Above this many neurons the decomposition is not dense (21 s at N = 1,000 in Node 20 on a 2-core Xeon; O(N³)). */
export const MAX_EXACT = 1000;
/** Above this many neurons no spectrum is computed (the Krylov vectors would take > 300 MB). */
export const MAX_ARNOLDI = 200_000;
/** Eigenvalues kept by the Arnoldi iteration. */
export const LEADING = 20;

export interface Spectrum {
  /** 'exact': all N eigenvalues; 'arnoldi': the LEADING ones (see the file header). */
  method: 'exact' | 'arnoldi';
  /** Eigenvalues λ = re + i·im, sorted by decreasing |λ|. */
  re: number[];
  im: number[];
  /** max |λ|. */
  radius: number;
  /** The circular law's radius for the random graph (gain), or null where it does not apply. */
  circularLaw: number | null;
  /** Fraction of eigenvalues with |λ| ≤ the circular law's radius (null without one, or for 'arnoldi'). */
  insideCircularLaw: number | null;
}

/** W as a dense N × N matrix (row i: the inputs of neuron i). */
export function denseRecurrent(net: SparseRNN): Matrix {
  const n = net.config.neurons;
  const { indptr, indices, values } = net.recurrentMatrix();
  const w = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++)
    for (let e = indptr[i]; e < indptr[i + 1]; e++) w.set(i, indices[e], values[e]);
  return w;
}

export function spectrum(net: SparseRNN): Spectrum {
  const n = net.config.neurons;
  if (n > MAX_ARNOLDI)
    throw optionError(
      'neurons',
      n,
      `is more than the ${MAX_ARNOLDI} whose spectrum is computed (its Krylov vectors take 8·N·200 bytes)`,
      'analyze a smaller network',
    );
  const method = n <= MAX_EXACT ? 'exact' : 'arnoldi';
  let values: { re: number; im: number }[];
  if (method === 'exact') {
    const evd = new EigenvalueDecomposition(denseRecurrent(net));
    values = evd.realEigenvalues.map((re, k) => ({ re, im: evd.imaginaryEigenvalues[k] }));
  } else {
    const { indptr, indices, values: w } = net.recurrentMatrix();
    values = ritzValues(n, (v, out) => {
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let e = indptr[i]; e < indptr[i + 1]; e++) sum += w[e] * v[indices[e]];
        out[i] = sum;
      }
    });
  }
  const order = values.sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im));
  if (method === 'arnoldi') order.splice(LEADING);
  const re = order.map((l) => l.re);
  const im = order.map((l) => l.im);
  const radius = order.length ? Math.hypot(re[0], im[0]) : 0;
  const standard = net.config.scaling === 'standard';
  const circularLaw = standard ? net.config.gain : null;
  const insideCircularLaw =
    circularLaw === null || method === 'arnoldi'
      ? null
      : order.filter((l) => Math.hypot(l.re, l.im) <= circularLaw).length / order.length;
  return { method, re, im, radius, circularLaw, insideCircularLaw };
}

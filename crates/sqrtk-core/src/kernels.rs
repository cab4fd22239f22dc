//! Sparse kernels. Activity is stored neuron-major with the batch contiguous: neuron `j`'s
//! values for the batch are one contiguous row. One synapse then multiplies a contiguous batch
//! vector, which is what SIMD wants.
//!
//! Each fast kernel has a scalar reference beside it. The fast kernels keep a fixed order of
//! floating-point operations that does not depend on the platform: the explicit simd128 path
//! (wasm32) and the portable path (native) give the same bits. They work on a range of output
//! rows, so that fixed row chunks can run on different threads (see `parallel`).

use core::marker::PhantomData;
use core::ops::Range;

use crate::csr::Transpose;
use crate::math::F4;

/// A sparse matrix in CSR form borrowed from its owner, with values in entry order.
#[derive(Clone, Copy)]
pub struct SparseView<'a> {
    pub indptr: &'a [u32],
    pub indices: &'a [u32],
    pub values: &'a [f32],
}

/// A read-only view of activity rows: row `j` is the `width` values starting at `j * stride`.
///
/// It holds a pointer rather than a slice so that one thread can read some rows of a buffer
/// while other threads write other rows of it (for example time step t − 1 is read while time
/// step t is written); only the rows actually read are borrowed, one at a time.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    ptr: *const f32,
    len: usize,
    pub stride: usize,
    pub width: usize,
    _data: PhantomData<&'a [f32]>,
}

// SAFETY: a `Rows` only reads, and its constructors require that nobody writes what it reads.
unsafe impl Send for Rows<'_> {}
unsafe impl Sync for Rows<'_> {}

impl<'a> Rows<'a> {
    pub fn new(data: &'a [f32], stride: usize, width: usize) -> Rows<'a> {
        // SAFETY: `data` is borrowed immutably for 'a, so nobody writes it.
        unsafe { Rows::from_raw(data.as_ptr(), data.len(), stride, width) }
    }

    /// # Safety
    /// `ptr..ptr + len` must stay allocated for 'a, and the rows read through this view must not
    /// be written while it is in use.
    pub unsafe fn from_raw(ptr: *const f32, len: usize, stride: usize, width: usize) -> Rows<'a> {
        Rows { ptr, len, stride, width, _data: PhantomData }
    }

    /// The same rows, starting `offset` values later (for example the next time step).
    pub fn skip(self, offset: usize) -> Rows<'a> {
        assert!(offset <= self.len, "Rows::skip past the end");
        // SAFETY: stays inside the original allocation; same readers' contract.
        unsafe { Rows::from_raw(self.ptr.add(offset), self.len - offset, self.stride, self.width) }
    }

    /// The start of row `j`, unchecked.
    ///
    /// # Safety
    /// Row `j` must be in bounds (as [`Rows::row`] checks).
    #[inline(always)]
    pub unsafe fn row_ptr(&self, j: usize) -> *const f32 {
        self.ptr.add(j * self.stride)
    }

    pub fn row(&self, j: usize) -> &'a [f32] {
        let start = j * self.stride;
        assert!(start + self.width <= self.len, "row {j} out of bounds");
        // SAFETY: in bounds (checked above); the constructor's contract forbids concurrent writes.
        unsafe { core::slice::from_raw_parts(self.ptr.add(start), self.width) }
    }
}

/// Reference for [`spmm`]: y[i] = Σ_e w_e · x[col_e] for every row i, batch-wise.
pub fn spmm_scalar(a: SparseView, x: Rows, y: &mut [f32], y_stride: usize) {
    for i in 0..a.indptr.len() - 1 {
        for b in 0..x.width {
            let mut sum = 0.0f32;
            for e in a.indptr[i] as usize..a.indptr[i + 1] as usize {
                sum += a.values[e] * x.row(a.indices[e] as usize)[b];
            }
            y[i * y_stride + b] = sum;
        }
    }
}

/// y[i] = Σ_e w_e · x[col_e] for the rows `rows` of `a`, writing row `rows.start + r` at
/// `y[r * y_stride..]`. Same bits as [`spmm_scalar`]: each output lane sums its terms in
/// entry order, starting from zero.
pub fn spmm(a: SparseView, x: Rows, y: &mut [f32], y_stride: usize, rows: Range<usize>) {
    for (r, i) in rows.enumerate() {
        let entries = a.indptr[i] as usize..a.indptr[i + 1] as usize;
        let out = &mut y[r * y_stride..r * y_stride + x.width];
        spmm_row(&a.indices[entries.clone()], &a.values[entries], x, out);
    }
}

/// One output row: for each group of lanes, `V` four-lane accumulators stay in registers across
/// the row's synapses (V = 8 covers a batch of 32 in one pass over the row), then 4, then 1,
/// then single lanes. Each lane adds its terms in entry order from zero, as the reference does.
fn spmm_row(cols: &[u32], weights: &[f32], x: Rows, out: &mut [f32]) {
    let batch = out.len();
    assert!(batch <= x.width);
    // Every column index is a row of `x`: checked once here, not per synapse.
    if let Some(&max) = cols.iter().max() {
        let _ = x.row(max as usize);
    }
    let mut start = 0;
    start = spmm_lanes::<8>(cols, weights, x, out, start);
    start = spmm_lanes::<4>(cols, weights, x, out, start);
    start = spmm_lanes::<1>(cols, weights, x, out, start);
    for b in start..batch {
        let mut sum = 0.0f32;
        for (&j, &w) in cols.iter().zip(weights) {
            sum += w * x.row(j as usize)[b];
        }
        out[b] = sum;
    }
}

/// Lanes `start..` of the row in blocks of 4·V while a whole block fits; returns where it stopped.
/// The caller has checked that every index in `cols` is a row of `x`.
#[inline(always)]
fn spmm_lanes<const V: usize>(cols: &[u32], weights: &[f32], x: Rows, out: &mut [f32], mut start: usize) -> usize {
    while start + 4 * V <= out.len() {
        let mut acc = [F4::splat(0.0); V];
        for (&j, &w) in cols.iter().zip(weights) {
            let w = F4::splat(w);
            // SAFETY: row j exists (the caller checked the maximum index) and lanes
            // start..start + 4V lie inside it (start + 4V <= out.len() <= width, asserted above).
            let src = unsafe { x.row_ptr(j as usize).add(start) };
            for (v, a) in acc.iter_mut().enumerate() {
                *a = a.add(w.mul(unsafe { F4::read(src.add(4 * v)) }));
            }
        }
        for (v, a) in acc.iter().enumerate() {
            a.store(&mut out[start + 4 * v..start + 4 * v + 4]);
        }
        start += 4 * V;
    }
    start
}

/// Wᵀx without a transpose: y[j] = Σ_i w_ij · x[i] for the output rows `cols` (columns of `a`),
/// writing row `cols.start + r` at `y[r * y_stride..]`. Every row i of `a` is visited in
/// increasing order and adds w_e · x[i] to y[col_e] for its synapses into `cols`, so each output
/// lane sums its terms in increasing i from zero: the bits of [`spmm`] over the transpose (whose
/// columns list their rows in increasing order), which a network without one (see
/// `structure::Recurrent::transpose`) trades for speed. The first `sorted[i]` entries of row i
/// are in increasing column order (the backbone; checked by `Recurrent::check_invariants`) and
/// are found by binary search; the rest are tested one by one.
pub fn spmm_transposed(a: SparseView, sorted: &[u32], x: Rows, y: &mut [f32], y_stride: usize, cols: Range<usize>) {
    let batch = x.width;
    let (lo, hi) = (cols.start as u32, cols.end as u32);
    for r in 0..cols.len() {
        y[r * y_stride..r * y_stride + batch].fill(0.0);
    }
    // The entries of the current row that land in `cols`.
    let mut picked: Vec<u32> = Vec::new();
    for i in 0..a.indptr.len() - 1 {
        let entries = a.indptr[i] as usize..a.indptr[i + 1] as usize;
        let (row, weights) = (&a.indices[entries.clone()], &a.values[entries]);
        let head = &row[..sorted[i] as usize];
        let (from, to) = (head.partition_point(|&j| j < lo), head.partition_point(|&j| j < hi));
        picked.clear();
        picked.extend(from as u32..to as u32);
        picked.extend((head.len()..row.len()).filter(|&e| (lo..hi).contains(&row[e])).map(|e| e as u32));
        if picked.is_empty() {
            continue;
        }
        let xi = x.row(i);
        let out = Scatter { picked: &picked, row, weights, lo, y_stride };
        let mut start = out.lanes::<8>(xi, y, 0);
        start = out.lanes::<4>(xi, y, start);
        start = out.lanes::<1>(xi, y, start);
        for b in start..batch {
            for &e in &picked {
                let e = e as usize;
                y[(row[e] - lo) as usize * y_stride + b] += weights[e] * xi[b];
            }
        }
    }
}

/// One row's terms for [`spmm_transposed`]: its picked entries, their columns and weights.
struct Scatter<'a> {
    picked: &'a [u32],
    row: &'a [u32],
    weights: &'a [f32],
    lo: u32,
    y_stride: usize,
}

impl Scatter<'_> {
    /// Lanes `start..` in blocks of 4·V while a whole block fits (x[i] of the block held in
    /// registers); returns where it stopped.
    #[inline(always)]
    fn lanes<const V: usize>(&self, xi: &[f32], y: &mut [f32], mut start: usize) -> usize {
        while start + 4 * V <= xi.len() {
            let xs: [F4; V] = core::array::from_fn(|v| F4::load(&xi[start + 4 * v..]));
            for &e in self.picked {
                let e = e as usize;
                let w = F4::splat(self.weights[e]);
                let at = (self.row[e] - self.lo) as usize * self.y_stride + start;
                let out = &mut y[at..at + 4 * V];
                for (v, x) in xs.iter().enumerate() {
                    let lanes = &mut out[4 * v..4 * v + 4];
                    F4::load(lanes).add(w.mul(*x)).store(lanes);
                }
            }
            start += 4 * V;
        }
        start
    }
}

/// Reference for [`dot`]: a plain sequential sum.
pub fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0, |s, (x, y)| s + x * y)
}

/// Dot product with a fixed association on every platform: eight lane sums (lane l takes
/// elements ≡ l mod 8), folded as (l + l+4), then (0+2)+(1+3), then the tail added in order.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    dots(a, [b])[0]
}

/// Weight gradient at the sparsity pattern (SDDMM) for the rows `rows`, visited row by row:
/// for each synapse e of row i, grad[e − indptr[rows.start]] += ⟨d[i], x[col_e]⟩. A row of `d`
/// or `x` holds all time steps and batch entries of one neuron, so one pass over the synapses
/// serves the sequence. Training uses [`sddmm_in_pieces`] (same bits, better memory traffic);
/// this plain order is the reference it is tested against, itself tested against
/// [`sddmm_scalar`].
/// `skip[i]` (when given) leading synapses of row i are left untouched: frozen synapses cost
/// nothing. Four synapses at a time share each load of d[i]; every gradient is still one
/// [`dot`] with its fixed association, so the bits do not depend on how synapses are grouped.
pub fn sddmm(
    indptr: &[u32],
    indices: &[u32],
    d: Rows,
    x: Rows,
    grad: &mut [f32],
    rows: Range<usize>,
    skip: Option<&[u32]>,
) {
    let first = indptr[rows.start] as usize;
    for i in rows {
        let di = d.row(i);
        let from = indptr[i] as usize + skip.map_or(0, |s| s[i] as usize);
        let to = indptr[i + 1] as usize;
        let mut e = from;
        while e + 4 <= to {
            let x4 = [0, 1, 2, 3].map(|q| x.row(indices[e + q] as usize));
            let sums = dots(di, x4);
            for q in 0..4 {
                grad[e + q - first] += sums[q];
            }
            e += 4;
        }
        for e in e..to {
            grad[e - first] += dot(di, x.row(indices[e] as usize));
        }
    }
}

/// [`sddmm`] visiting the synapses of the rows `rows` column by column, with the same bits:
/// each presynaptic row x[j] is read once per call and dotted with d[i] of every synapse
/// j → i of these rows, which the transpose `t` lists (rows in increasing order within each
/// column). With many rows per call, x streams through memory once per call instead of once
/// per synapse, while the rows of `d` stay in cache. Every gradient is the same [`dot`] of
/// the same two rows as in [`sddmm`] (a product and its operands commuted is the same float),
/// so only the order in which synapses are visited changes, and no synapse depends on another.
#[allow(clippy::too_many_arguments)]
pub fn sddmm_by_column(
    indptr: &[u32],
    t: &Transpose,
    d: Rows,
    x: Rows,
    grad: &mut [f32],
    rows: Range<usize>,
    skip: Option<&[u32]>,
) {
    let first = indptr[rows.start] as usize;
    let (lo, hi) = (rows.start as u32, rows.end as u32);
    let mut group: [(usize, &[f32]); 4] = [(0, &[]); 4];
    for j in 0..t.indptr.len() - 1 {
        let span = t.col_range(j);
        let column = &t.rows[span.clone()];
        let (from, to) = (column.partition_point(|&i| i < lo), column.partition_point(|&i| i < hi));
        if from == to {
            continue;
        }
        let xj = x.row(j);
        let mut filled = 0;
        for k in span.start + from..span.start + to {
            let (i, e) = (t.rows[k] as usize, t.perm[k] as usize);
            if skip.is_some_and(|s| e - (indptr[i] as usize) < s[i] as usize) {
                continue;
            }
            group[filled] = (e - first, d.row(i));
            filled += 1;
            if filled == 4 {
                let sums = dots(xj, group.map(|(_, di)| di));
                for q in 0..4 {
                    grad[group[q].0] += sums[q];
                }
                filled = 0;
            }
        }
        for &(at, di) in &group[..filled] {
            grad[at] += dot(xj, di);
        }
    }
}

/// Synapses of the rows of one piece in [`sddmm_in_pieces`] as training uses it: the piece's
/// transpose takes 8 bytes each (4 MiB per thread).
pub const SDDMM_PIECE: usize = 1 << 19;

/// [`sddmm_by_column`] with a transpose of its own: the rows `rows` are taken in pieces of at
/// most `piece` synapses (at least one row), each visited column by column through a
/// transpose of just its rows, built here and reused, so each presynaptic row is read once per
/// piece rather than once per synapse. Same bits. Training uses it with or without the
/// network's transpose (the compact layout has none): it was 28 % faster than going through
/// the network's at N = 20,000, K = 200, whose columns hold every row, not just the piece's.
#[allow(clippy::too_many_arguments)]
pub fn sddmm_in_pieces(
    indptr: &[u32],
    indices: &[u32],
    n_cols: usize,
    d: Rows,
    x: Rows,
    grad: &mut [f32],
    rows: Range<usize>,
    skip: Option<&[u32]>,
    piece: usize,
) {
    let first = indptr[rows.start] as usize;
    let mut t = Transpose::default();
    let mut start = rows.start;
    while start < rows.end {
        let mut end = start + 1;
        while end < rows.end && (indptr[end + 1] - indptr[start]) as usize <= piece {
            end += 1;
        }
        t.rebuild_rows(indptr, indices, n_cols, start..end);
        let piece = &mut grad[indptr[start] as usize - first..indptr[end] as usize - first];
        sddmm_by_column(indptr, &t, d, x, piece, start..end, skip);
        start = end;
    }
}

/// Q products ⟨a, b_q⟩ in one pass over `a` (each load of `a` serves all Q), each with the
/// association documented at [`dot`]: the one implementation of it.
#[inline(always)]
pub(crate) fn dots<const Q: usize>(a: &[f32], b: [&[f32]; Q]) -> [f32; Q] {
    let full = a.len() / 8 * 8;
    for bq in &b {
        assert_eq!(bq.len(), a.len());
    }
    let zero = F4::splat(0.0);
    let mut acc = [[zero; 2]; Q];
    let mut c = 0;
    while c < full {
        // SAFETY: c + 8 <= full <= the length of a and of every b[q] (checked above).
        unsafe {
            let (lo, hi) = (F4::read(a.as_ptr().add(c)), F4::read(a.as_ptr().add(c + 4)));
            for q in 0..Q {
                let p = b[q].as_ptr().add(c);
                acc[q][0] = acc[q][0].add(lo.mul(F4::read(p)));
                acc[q][1] = acc[q][1].add(hi.mul(F4::read(p.add(4))));
            }
        }
        c += 8;
    }
    core::array::from_fn(|q| {
        let mut v = [0.0f32; 4];
        acc[q][0].add(acc[q][1]).store(&mut v);
        let mut sum = (v[0] + v[2]) + (v[1] + v[3]);
        for (x, y) in a[full..].iter().zip(&b[q][full..]) {
            sum += x * y;
        }
        sum
    })
}

/// Reference for [`sddmm`] over all rows, with sequential dot products.
pub fn sddmm_scalar(indptr: &[u32], indices: &[u32], d: Rows, x: Rows, grad: &mut [f32]) {
    for i in 0..indptr.len() - 1 {
        for e in indptr[i] as usize..indptr[i + 1] as usize {
            grad[e] += dot_scalar(d.row(i), x.row(indices[e] as usize));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectivity::erdos_renyi;
    use crate::csr::Transpose;
    use crate::rng::{Rng, Stream};
    use ndarray::Array2;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed, Stream::Init, 0);
        (0..n).map(|_| rng.normal() as f32).collect()
    }

    fn dense(csr: &crate::csr::Csr, values: &[f32]) -> Array2<f64> {
        let mut w = Array2::zeros((csr.n_rows, csr.n_cols));
        for i in 0..csr.n_rows {
            for e in csr.row_range(i) {
                w[[i, csr.indices[e] as usize]] += values[e] as f64;
            }
        }
        w
    }

    fn to_array(v: &[f32], rows: usize, stride: usize, batch: usize) -> Array2<f64> {
        Array2::from_shape_fn((rows, batch), |(r, b)| v[r * stride + b] as f64)
    }

    fn assert_close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) {
        assert_eq!(a.dim(), b.dim());
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn spmm_matches_dense_and_scalar_bit_for_bit() {
        // Batch sizes cover the 16-, 4- and 1-lane paths; stride > batch covers the time layout.
        for &(batch, stride) in &[(1usize, 1usize), (3, 5), (4, 4), (19, 23), (32, 32), (37, 40)] {
            let n = 300;
            let csr = erdos_renyi(n, 20.0, batch as u64).unwrap();
            let values = random(csr.nnz(), 1);
            let x = random(n * stride, 2);
            let a = SparseView { indptr: &csr.indptr, indices: &csr.indices, values: &values };
            let mut fast = vec![0.0; n * stride];
            let mut slow = vec![0.0; n * stride];
            spmm(a, Rows::new(&x, stride, batch), &mut fast, stride, 0..n);
            spmm_scalar(a, Rows::new(&x, stride, batch), &mut slow, stride);
            assert_eq!(fast, slow, "batch {batch}: fast and scalar kernels differ");
            let expected = dense(&csr, &values).dot(&to_array(&x, n, stride, batch));
            assert_close(&to_array(&fast, n, stride, batch), &expected, 1e-5);
        }
    }

    #[test]
    fn spmm_on_a_row_block_equals_the_full_product() {
        let csr = erdos_renyi(200, 15.0, 4).unwrap();
        let values = random(csr.nnz(), 5);
        let x = random(200 * 8, 6);
        let a = SparseView { indptr: &csr.indptr, indices: &csr.indices, values: &values };
        let mut full = vec![0.0; 200 * 8];
        spmm(a, Rows::new(&x, 8, 8), &mut full, 8, 0..200);
        let mut block = vec![0.0; 50 * 8];
        spmm(a, Rows::new(&x, 8, 8), &mut block, 8, 100..150);
        assert_eq!(block[..], full[100 * 8..150 * 8]);
    }

    #[test]
    fn transposed_product_matches_dense_transpose() {
        let (n, batch) = (250, 12);
        let csr = erdos_renyi(n, 18.0, 7).unwrap();
        let values = random(csr.nnz(), 8);
        let t = Transpose::of(&csr);
        let values_t: Vec<f32> = t.perm.iter().map(|&e| values[e as usize]).collect();
        let dy = random(n * batch, 9);
        let at = SparseView { indptr: &t.indptr, indices: &t.rows, values: &values_t };
        let mut dx = vec![0.0; n * batch];
        spmm(at, Rows::new(&dy, batch, batch), &mut dx, batch, 0..n);
        let expected = dense(&csr, &values).t().dot(&to_array(&dy, n, batch, batch));
        assert_close(&to_array(&dx, n, batch, batch), &expected, 1e-5);
    }

    #[test]
    fn the_transposed_product_without_a_transpose_has_the_bits_of_the_gathered_one() {
        // Rows: a sorted backbone then 3 unsorted learned partners (as a network's rows are).
        let n = 240;
        let backbone = erdos_renyi(n, 16.0, 31).unwrap();
        let mut rng = Rng::new(32, Stream::Init, 0);
        let rows: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                let mut row = backbone.row(i).to_vec();
                while row.len() < backbone.row(i).len() + 3 {
                    let j = rng.below(n as u64) as u32;
                    if j as usize != i && !row.contains(&j) {
                        row.push(j);
                    }
                }
                row
            })
            .collect();
        let sorted: Vec<u32> = (0..n).map(|i| backbone.row(i).len() as u32).collect();
        let csr = crate::csr::Csr::from_rows(n, rows).unwrap();
        let values = random(csr.nnz(), 33);
        let t = Transpose::of(&csr);
        let values_t: Vec<f32> = t.perm.iter().map(|&e| values[e as usize]).collect();
        let a = SparseView { indptr: &csr.indptr, indices: &csr.indices, values: &values };
        let at = SparseView { indptr: &t.indptr, indices: &t.rows, values: &values_t };
        for &(batch, stride) in &[(1usize, 1usize), (3, 5), (8, 8), (19, 23), (32, 32), (37, 40)] {
            let x = random(n * stride, batch as u64);
            let expected = dense(&csr, &values).t().dot(&to_array(&x, n, stride, batch));
            for cols in [0..n, 0..1, 17..130, 200..n] {
                let len = cols.len();
                let (mut scattered, mut gathered) = (vec![7.0; len * stride], vec![7.0; len * stride]);
                spmm_transposed(a, &sorted, Rows::new(&x, stride, batch), &mut scattered, stride, cols.clone());
                spmm(at, Rows::new(&x, stride, batch), &mut gathered, stride, cols.clone());
                for r in 0..len {
                    let (s, g) = (&scattered[r * stride..][..batch], &gathered[r * stride..][..batch]);
                    assert!(s.iter().zip(g).all(|(a, b)| a.to_bits() == b.to_bits()), "batch {batch}, {cols:?}");
                }
                let part = to_array(&scattered, len, stride, batch);
                assert_close(&part, &expected.slice(ndarray::s![cols.clone(), ..]).to_owned(), 1e-5);
            }
        }
    }

    #[test]
    fn sddmm_equals_one_dot_per_synapse_and_leaves_skipped_synapses_untouched() {
        // Rows of 0..30 synapses cover the groups of four and every tail; len 45 has a tail too.
        let (n, len) = (120, 45);
        let csr = erdos_renyi(n, 14.0, 21).unwrap();
        let (d, x) = (random(n * len, 22), random(n * len, 23));
        let rows = |v| Rows::new(v, len, len);
        let skip: Vec<u32> = (0..n).map(|i| (i % 7).min(csr.row_range(i).len()) as u32).collect();
        let mut grad = vec![0.25; csr.nnz()];
        for chunk in [0..37, 37..38, 38..n] {
            let part = csr.indptr[chunk.start] as usize..csr.indptr[chunk.end] as usize;
            sddmm(&csr.indptr, &csr.indices, rows(&d), rows(&x), &mut grad[part], chunk, Some(&skip));
        }
        for i in 0..n {
            for (q, e) in csr.row_range(i).enumerate() {
                let col = csr.indices[e] as usize;
                let expected =
                    if q < skip[i] as usize { 0.25 } else { 0.25 + dot(&d[i * len..][..len], &x[col * len..][..len]) };
                assert_eq!(grad[e].to_bits(), expected.to_bits(), "row {i}, synapse {q}");
            }
        }
    }

    #[test]
    fn sddmm_by_column_has_the_bits_of_sddmm() {
        let (n, len) = (130, 45);
        let csr = erdos_renyi(n, 14.0, 31).unwrap();
        let t = Transpose::of(&csr);
        let (d, x) = (random(n * len, 32), random(n * len, 33));
        let rows = |v| Rows::new(v, len, len);
        for skip in [None, Some((0..n).map(|i| (i % 5).min(csr.row_range(i).len()) as u32).collect::<Vec<_>>())] {
            let mut by_row = vec![0.25; csr.nnz()];
            sddmm(&csr.indptr, &csr.indices, rows(&d), rows(&x), &mut by_row, 0..n, skip.as_deref());
            let splits: [&[Range<usize>]; 3] = [&[0..0, 0..n], &[0..1, 1..64, 64..n], &[0..0, 0..n - 1, n - 1..n]];
            for blocks in splits {
                let mut by_column = vec![0.25; csr.nnz()];
                for block in blocks.iter().cloned() {
                    let part = csr.indptr[block.start] as usize..csr.indptr[block.end] as usize;
                    sddmm_by_column(&csr.indptr, &t, rows(&d), rows(&x), &mut by_column[part], block, skip.as_deref());
                }
                let bits = |v: &[f32]| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&by_column), bits(&by_row));
            }
        }
    }

    #[test]
    fn sddmm_in_pieces_has_the_bits_of_sddmm() {
        let (n, len) = (300, 24);
        let csr = erdos_renyi(n, 30.0, 41).unwrap();
        let (d, x) = (random(n * len, 42), random(n * len, 43));
        let rows = |v| Rows::new(v, len, len);
        let skip: Vec<u32> = (0..n).map(|i| (i % 5).min(csr.row_range(i).len()) as u32).collect();
        for (block, skip) in [(0..n, None), (40..260, Some(&skip[..]))] {
            let synapses = csr.indptr[block.start] as usize..csr.indptr[block.end] as usize;
            let mut plain = vec![0.5; synapses.len()];
            sddmm(&csr.indptr, &csr.indices, rows(&d), rows(&x), &mut plain, block.clone(), skip);
            // One piece, pieces of a few rows, and pieces smaller than a row (one row each).
            for piece in [SDDMM_PIECE, 100, 1] {
                let mut pieces = vec![0.5; synapses.len()];
                let (d, x) = (rows(&d), rows(&x));
                sddmm_in_pieces(&csr.indptr, &csr.indices, n, d, x, &mut pieces, block.clone(), skip, piece);
                assert!(plain.iter().zip(&pieces).all(|(a, b)| a.to_bits() == b.to_bits()), "piece {piece}");
            }
        }
    }

    #[test]
    fn sddmm_matches_dense_outer_product_at_the_pattern() {
        let (n, len) = (150, 45);
        let csr = erdos_renyi(n, 12.0, 10).unwrap();
        let d = random(n * len, 11);
        let x = random(n * len, 12);
        let rows = |v| Rows::new(v, len, len);
        let mut fast = vec![0.5; csr.nnz()];
        let mut slow = vec![0.5; csr.nnz()];
        sddmm(&csr.indptr, &csr.indices, rows(&d), rows(&x), &mut fast, 0..n, None);
        sddmm_scalar(&csr.indptr, &csr.indices, rows(&d), rows(&x), &mut slow);
        let full = to_array(&d, n, len, len).dot(&to_array(&x, n, len, len).t());
        for i in 0..n {
            for e in csr.row_range(i) {
                let expected = 0.5 + full[[i, csr.indices[e] as usize]];
                assert!((fast[e] as f64 - expected).abs() < 1e-4 * (1.0 + expected.abs()));
                assert!((slow[e] as f64 - expected).abs() < 1e-4 * (1.0 + expected.abs()));
            }
        }
    }

    #[test]
    fn dot_has_the_documented_association() {
        for len in [0usize, 1, 7, 8, 9, 16, 31, 64] {
            let a = random(len, 13);
            let b = random(len, 14);
            let full = len / 8 * 8;
            let mut acc = [0.0f32; 8];
            for c in (0..full).step_by(8) {
                for l in 0..8 {
                    acc[l] += a[c + l] * b[c + l];
                }
            }
            let mut expected = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
            for k in full..len {
                expected += a[k] * b[k];
            }
            assert_eq!(dot(&a, &b).to_bits(), expected.to_bits(), "len {len}");
        }
    }
}

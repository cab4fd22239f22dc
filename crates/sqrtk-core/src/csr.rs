//! Compressed sparse rows: row `i` is the postsynaptic neuron, its column indices are the
//! presynaptic partners. Values live elsewhere (they are parameters), in the same order.

use core::ops::Range;

use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    pub n_rows: usize,
    pub n_cols: usize,
    /// `indptr[i]..indptr[i + 1]` is the range of row `i` in `indices`.
    pub indptr: Vec<u32>,
    pub indices: Vec<u32>,
}

impl Csr {
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    pub fn row(&self, i: usize) -> &[u32] {
        &self.indices[self.indptr[i] as usize..self.indptr[i + 1] as usize]
    }

    pub fn row_range(&self, i: usize) -> core::ops::Range<usize> {
        self.indptr[i] as usize..self.indptr[i + 1] as usize
    }

    /// Builds a CSR from one column list per row.
    pub fn from_rows(n_cols: usize, rows: Vec<Vec<u32>>) -> Result<Csr, Error> {
        let nnz: usize = rows.iter().map(Vec::len).sum();
        check_nnz(nnz)?;
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        indptr.push(0);
        for row in &rows {
            indices.extend_from_slice(row);
            indptr.push(indices.len() as u32);
        }
        Ok(Csr { n_rows: rows.len(), n_cols, indptr, indices })
    }
}

/// Indices are u32: a network holds at most 2^32 − 1 synapses (wasm32 memory ends far earlier).
pub fn check_nnz(nnz: usize) -> Result<(), Error> {
    if nnz as u64 >= u32::MAX as u64 {
        return Err(Error::option(
            "k",
            format!("{nnz} synapses"),
            "gives more than 2^32 − 1 synapses",
            "lower neurons or k",
        ));
    }
    Ok(())
}

/// The transpose of a CSR as a permutation: column `j` lists the rows that read from `j` and,
/// in `perm`, where each synapse's value sits in the row-major value array. Entries of a
/// column are ordered by row, so sums over a column have one fixed order.
#[derive(Clone, Debug, Default)]
pub struct Transpose {
    pub indptr: Vec<u32>,
    pub rows: Vec<u32>,
    pub perm: Vec<u32>,
}

impl Transpose {
    pub fn of(csr: &Csr) -> Transpose {
        let mut t = Transpose::default();
        t.rebuild(csr);
        t
    }

    /// Rebuilds the transpose of `csr` in the buffers it already has: after a rewiring the
    /// number of synapses is the same, so nothing is allocated and the old transpose never
    /// sits beside the new one (8 bytes per synapse that a large network does not have).
    pub fn rebuild(&mut self, csr: &Csr) {
        self.rebuild_rows(&csr.indptr, &csr.indices, csr.n_cols, 0..csr.n_rows);
    }

    /// Rebuilds this as the transpose of the rows `of_rows` alone of the CSR (`indptr`,
    /// `indices`) with `n_cols` columns; `rows` and `perm` keep the CSR's own row numbers and
    /// entry positions.
    pub fn rebuild_rows(&mut self, csr_indptr: &[u32], indices: &[u32], n_cols: usize, of_rows: Range<usize>) {
        let Transpose { indptr, rows, perm } = self;
        let entries = csr_indptr[of_rows.start] as usize..csr_indptr[of_rows.end] as usize;
        indptr.clear();
        indptr.resize(n_cols + 1, 0);
        for &j in &indices[entries.clone()] {
            indptr[j as usize + 1] += 1;
        }
        for j in 0..n_cols {
            indptr[j + 1] += indptr[j];
        }
        rows.resize(entries.len(), 0);
        perm.resize(entries.len(), 0);
        // Each column is filled from its start; `indptr[j]` is its write cursor, so after the
        // pass it holds the column's end, which is where column j + 1 starts: shift back.
        for i in of_rows {
            for e in csr_indptr[i] as usize..csr_indptr[i + 1] as usize {
                let j = indices[e] as usize;
                let slot = indptr[j] as usize;
                rows[slot] = i as u32;
                perm[slot] = e as u32;
                indptr[j] += 1;
            }
        }
        for j in (1..=n_cols).rev() {
            indptr[j] = indptr[j - 1];
        }
        indptr[0] = 0;
    }

    pub fn col_range(&self, j: usize) -> core::ops::Range<usize> {
        self.indptr[j] as usize..self.indptr[j + 1] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_lists_each_synapse_once_in_row_order() {
        let csr = Csr::from_rows(4, vec![vec![1, 3], vec![], vec![0, 1, 2], vec![1]]).unwrap();
        let t = Transpose::of(&csr);
        assert_eq!(t.indptr, vec![0, 1, 4, 5, 6]);
        assert_eq!(t.rows, vec![2, 0, 2, 3, 2, 0]);
        for (slot, &e) in t.perm.iter().enumerate() {
            let row = t.rows[slot] as usize;
            assert!(csr.row_range(row).contains(&(e as usize)));
        }
    }

    #[test]
    fn a_transpose_rebuilt_in_place_is_the_transpose_of_the_new_rows() {
        let before = Csr::from_rows(4, vec![vec![1, 3], vec![], vec![0, 1, 2], vec![1]]).unwrap();
        let after = Csr::from_rows(4, vec![vec![0, 2], vec![3], vec![0, 1], vec![2]]).unwrap();
        let mut t = Transpose::of(&before);
        let buffers = (t.rows.as_ptr(), t.perm.as_ptr());
        t.rebuild(&after);
        let fresh = Transpose::of(&after);
        assert_eq!((&t.indptr, &t.rows, &t.perm), (&fresh.indptr, &fresh.rows, &fresh.perm));
        assert_eq!(buffers, (t.rows.as_ptr(), t.perm.as_ptr()), "the same buffers, nothing allocated");
    }
}

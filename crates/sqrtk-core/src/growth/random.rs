//! `random`: partners drawn once when the network is built and never changed — the naive
//! baseline every learned strategy must beat.

use core::ops::Range;

use super::{Context, Strategy};

pub struct Random;

impl Strategy for Random {
    fn drop_slots(&self, _: &Context, _: usize, _: usize) -> Vec<usize> {
        Vec::new()
    }

    fn grow(&self, _: &Context, rows: Range<usize>, _: &[usize]) -> Vec<Vec<u32>> {
        rows.map(|_| Vec::new()).collect()
    }
}

//! Story features' hot path: a text's MinHash signature and the near-duplicate index over recent ones.
//! services/classify/stories/sketch.py and copies.py are the reference and say why each step is as it is;
//! tests/unit/classify/test_native_stories.py holds this file to their answers bit for bit.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

const BINS: usize = 48;
const BANDS: usize = BINS / 2;
const SHINGLE_BYTES: usize = 16;
const M1: u64 = 0x9E37_79B9_7F4A_7C15;
const M2: u64 = 0xBF58_476D_1CE4_E5B9;
const SPREAD: u64 = 0x9E37;
const MAX_CHAIN: usize = 8;
const MAX_CANDIDATES: usize = 16;
const NONE: i32 = -1;

type Signature = [u16; BINS];

fn word(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// The shingle hashes of normalised, padded text (`normalised_bytes` in sketch.py), in text order.
fn shingle_hashes(data: &[u8]) -> Vec<u64> {
    let scan = data.len().saturating_sub(SHINGLE_BYTES + 1);
    data[..scan]
        .iter()
        .enumerate()
        .filter(|(_, &byte)| byte == b' ')
        .map(|(at, _)| {
            let start = at + 1;
            let mut hash =
                word(data, start).wrapping_mul(M1) ^ word(data, start + 8).wrapping_mul(M2);
            hash ^= hash >> 29;
            hash.wrapping_mul(M1)
        })
        .collect()
}

/// Where each bin starts: the range of 64-bit hashes split in `BINS` parts as sketch.py's `_BIN_BOUNDS`.
const BIN_STARTS: [u64; BINS] = bin_starts();

const fn bin_starts() -> [u64; BINS] {
    let mut starts = [0u64; BINS];
    let mut bin = 0;
    while bin < BINS {
        starts[bin] = ((bin as u64) << 32).div_ceil(BINS as u64) << 32;
        bin += 1;
    }
    starts
}

/// The bin of `hash`: from its top 32 bits, then moved to the neighbour whose range holds it.
fn bin_of(hash: u64) -> usize {
    let mut bin = (((hash >> 32) * BINS as u64) >> 32) as usize;
    while bin + 1 < BINS && BIN_STARTS[bin + 1] <= hash {
        bin += 1;
    }
    while BIN_STARTS[bin] > hash {
        bin -= 1;
    }
    bin
}

/// Each bin's smallest hash (low 16 bits); an empty bin borrows its next non-empty neighbour's value.
/// One pass over the hashes, where the reference sorts them first: the same values.
fn signature(hashes: &[u64]) -> Signature {
    let mut smallest = [u64::MAX; BINS];
    let mut filled_bins = [false; BINS];
    for &hash in hashes {
        let bin = bin_of(hash);
        if !filled_bins[bin] || hash < smallest[bin] {
            smallest[bin] = hash;
            filled_bins[bin] = true;
        }
    }
    let mut values = [0u16; BINS];
    for (value, hash) in values.iter_mut().zip(smallest) {
        *value = (hash & 0xFFFF) as u16;
    }
    let filled: Vec<usize> = (0..BINS).filter(|&bin| filled_bins[bin]).collect();
    if filled.is_empty() || filled.len() == BINS {
        return values;
    }
    let original = values;
    for gap in (0..BINS).filter(|&bin| !filled_bins[bin]) {
        let donor = filled[filled.partition_point(|&bin| bin < gap) % filled.len()];
        let distance = (donor as i64 - gap as i64).rem_euclid(BINS as i64) as u64;
        values[gap] = ((u64::from(original[donor]) + distance * SPREAD) & 0xFFFF) as u16;
    }
    values
}

fn signature_bytes(values: &Signature) -> Vec<u8> {
    values
        .iter()
        .flat_map(|value| value.to_le_bytes())
        .collect()
}

fn read_signature(bytes: &[u8]) -> Signature {
    let mut values = [0u16; BINS];
    for (value, pair) in values.iter_mut().zip(bytes.chunks_exact(2)) {
        *value = u16::from_le_bytes([pair[0], pair[1]]);
    }
    values
}

/// (signature as `BINS` little-endian u16, shingle count) of normalised, padded text; zeros and 0 when
/// the text has no shingle.
#[pyfunction]
pub fn minhash<'py>(py: Python<'py>, data: &[u8]) -> (Bound<'py, PyBytes>, usize) {
    let hashes = shingle_hashes(data);
    if hashes.is_empty() {
        return (PyBytes::new(py, &[0u8; 2 * BINS]), 0);
    }
    (
        PyBytes::new(py, &signature_bytes(&signature(&hashes))),
        hashes.len(),
    )
}

fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / BINS as f64
}

fn containment(jaccard: f64, shingles_a: u32, shingles_b: u32) -> f64 {
    let smaller = shingles_a.min(shingles_b);
    if smaller == 0 {
        return 0.0;
    }
    (jaccard * f64::from(shingles_a + shingles_b) / (1.0 + jaccard) / f64::from(smaller)).min(1.0)
}

/// `CopyIndex` of copies.py with the payloads held here: LSH bands in flat vectors, oldest entries first.
#[pyclass(module = "newsmon_engine")]
pub struct CopyTable {
    bits: u32,
    heads: Vec<i32>,
    keys: Vec<u16>,
    next: Vec<i32>,
    signatures: Vec<Signature>,
    shingles: Vec<u32>,
    times: Vec<f64>,
    payloads: Vec<Option<Py<PyAny>>>,
    start: usize,
}

impl CopyTable {
    fn bands(&self, values: &Signature) -> [(usize, u16); BANDS] {
        let shift = 64 - self.bits;
        let mut bands = [(0usize, 0u16); BANDS];
        for (band, slot) in bands.iter_mut().enumerate() {
            let pair = u64::from(values[2 * band]) | (u64::from(values[2 * band + 1]) << 16);
            let salt = ((band as u64) + 1).wrapping_mul(M1);
            let mut mixed = (pair ^ salt).wrapping_mul(M2);
            mixed ^= mixed >> 29;
            *slot = ((mixed >> shift) as usize, (mixed & 0xFFFF) as u16);
        }
        bands
    }

    /// (position, jaccard, containment) of live entries sharing a band with the text, oldest first: at
    /// most `MAX_CANDIDATES`, the newest of each band's bucket first (see `matches` in copies.py).
    fn similar(&self, signature: &[u8], shingles: u32) -> Vec<(usize, f64, f64)> {
        if shingles == 0 {
            return Vec::new();
        }
        let values = read_signature(signature);
        let first = (self.start * BANDS) as i32;
        let mut seen: Vec<usize> = Vec::with_capacity(MAX_CANDIDATES + MAX_CHAIN);
        for (bucket, key) in self.bands(&values) {
            let (mut slot, mut walked) = (self.heads[bucket], 0);
            while slot >= first && walked < MAX_CHAIN {
                let position = slot as usize / BANDS;
                if self.keys[slot as usize] == key && !seen.contains(&position) {
                    seen.push(position);
                }
                slot = self.next[slot as usize];
                walked += 1;
            }
            if seen.len() >= MAX_CANDIDATES {
                break;
            }
        }
        seen.sort_unstable();
        seen.into_iter()
            .filter(|&position| self.payloads[position].is_some())
            .map(|position| {
                let jaccard = similarity(&values, &self.signatures[position]);
                (
                    position,
                    jaccard,
                    containment(jaccard, shingles, self.shingles[position]),
                )
            })
            .collect()
    }

    fn compact(&mut self) {
        let shift = self.start * BANDS;
        self.keys.drain(..shift);
        self.next.drain(..shift);
        self.signatures.drain(..self.start);
        self.shingles.drain(..self.start);
        self.times.drain(..self.start);
        self.payloads.drain(..self.start);
        let moved = |slot: &mut i32| {
            *slot = if *slot >= shift as i32 {
                *slot - shift as i32
            } else {
                NONE
            }
        };
        self.next.iter_mut().for_each(moved);
        self.heads.iter_mut().for_each(moved);
        self.start = 0;
    }
}

#[pymethods]
impl CopyTable {
    #[new]
    fn new(bucket_bits: u32) -> CopyTable {
        CopyTable {
            bits: bucket_bits,
            heads: vec![NONE; 1 << bucket_bits],
            keys: Vec::new(),
            next: Vec::new(),
            signatures: Vec::new(),
            shingles: Vec::new(),
            times: Vec::new(),
            payloads: Vec::new(),
            start: 0,
        }
    }

    fn __len__(&self) -> usize {
        self.payloads.len() - self.start
    }

    fn add(&mut self, signature: &[u8], shingles: u32, payload: Py<PyAny>, when: f64) {
        let values = read_signature(signature);
        let first = (self.payloads.len() * BANDS) as i32;
        for (slot, (bucket, key)) in (first..).zip(self.bands(&values)) {
            self.keys.push(key);
            self.next.push(self.heads[bucket]);
            self.heads[bucket] = slot;
        }
        self.signatures.push(values);
        self.shingles.push(shingles);
        self.times.push(when);
        self.payloads.push(Some(payload));
    }

    /// (payload, jaccard, containment) of live entries sharing a band, oldest first (see `matches`).
    fn matches(
        &self,
        py: Python<'_>,
        signature: &[u8],
        shingles: u32,
    ) -> Vec<(Py<PyAny>, f64, f64)> {
        self.similar(signature, shingles)
            .into_iter()
            .map(|(position, jaccard, share)| {
                let payload = self.payloads[position].as_ref().expect("a live entry");
                (payload.clone_ref(py), jaccard, share)
            })
            .collect()
    }

    /// The payload of the match containing the most of the text, the oldest of equals, among those at or
    /// above both floors (see `best`); None when none reaches them.
    fn best(
        &self,
        py: Python<'_>,
        signature: &[u8],
        shingles: u32,
        min_containment: f64,
        min_jaccard: f64,
    ) -> Option<Py<PyAny>> {
        let mut best: Option<(usize, f64)> = None;
        for (position, jaccard, share) in self.similar(signature, shingles) {
            if share >= min_containment
                && jaccard >= min_jaccard
                && best.is_none_or(|(_, most)| share > most)
            {
                best = Some((position, share));
            }
        }
        let (position, _) = best?;
        self.payloads[position]
            .as_ref()
            .map(|payload| payload.clone_ref(py))
    }

    /// Forget entries added before `before`; how many went.
    fn expire(&mut self, before: f64) -> usize {
        let mut start = self.start;
        while start < self.payloads.len() && self.times[start] < before {
            self.payloads[start] = None;
            start += 1;
        }
        let gone = start - self.start;
        self.start = start;
        if self.start > 1024 && self.start * 2 > self.payloads.len() {
            self.compact();
        }
        gone
    }

    /// (signature, shingles, payload, time) of the live entries from the `skip`-th, oldest first.
    fn entries<'py>(
        &self,
        py: Python<'py>,
        skip: usize,
    ) -> Vec<(Bound<'py, PyBytes>, u32, Py<PyAny>, f64)> {
        (self.start + skip..self.payloads.len())
            .filter_map(|position| {
                let payload = self.payloads[position].as_ref()?.clone_ref(py);
                let signature = PyBytes::new(py, &signature_bytes(&self.signatures[position]));
                Some((
                    signature,
                    self.shingles[position],
                    payload,
                    self.times[position],
                ))
            })
            .collect()
    }
}

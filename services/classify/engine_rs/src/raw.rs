//! The benchmark's floor: a bare automaton of the taxonomy's literals that only counts its matches.

use daachorse::DoubleArrayAhoCorasick;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Counts every (overlapping) occurrence of any literal in the lower-cased text, and does nothing else.
#[pyclass(frozen, module = "newsmon_engine")]
pub struct RawScanner {
    searcher: DoubleArrayAhoCorasick<u32>,
}

#[pymethods]
impl RawScanner {
    #[new]
    fn new(literals: Vec<String>) -> PyResult<RawScanner> {
        let searcher = DoubleArrayAhoCorasick::new(literals)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(RawScanner { searcher })
    }

    fn count(&self, text: &str) -> usize {
        self.searcher
            .find_overlapping_iter(text.to_lowercase())
            .count()
    }
}

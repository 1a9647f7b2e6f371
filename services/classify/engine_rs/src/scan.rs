//! One pass of the automaton over a normalised text, and what the rules ask of its hits, worked out once:
//! which groups occur, in which sentences, and their occurrences in text order (see `Scan` in rules.py).

use std::cell::RefCell;

use daachorse::DoubleArrayAhoCorasick;

use crate::text::{Hit, Sentences};

/// How a match of one automaton key is read; see `Matcher.compile` in matcher.py.
pub enum Key {
    /// One plain literal: (literal id, its length in characters).
    Plain(u32, u32),
    /// A prefix or case-sensitive literal, or several literals sharing the key.
    Uses(Vec<Use>),
}

impl Key {
    /// The literal ids a match of this key can stand for.
    fn literals(&self) -> impl Iterator<Item = u32> + '_ {
        let (plain, uses) = match self {
            Key::Plain(literal, _) => (Some(*literal), &[][..]),
            Key::Uses(uses) => (None, uses.as_slice()),
        };
        plain.into_iter().chain(uses.iter().map(|u| u.literal))
    }
}

pub struct Use {
    pub literal: u32,
    pub length: u32,
    pub prefix: bool,
    pub exact: Option<Vec<char>>,
}

/// Every key of the taxonomy in one double-array Aho-Corasick automaton (daachorse). On this taxonomy's
/// 8,500 keys it scans about a third faster than the aho-corasick crate's NFA, whose DFA outgrows the cache.
pub struct Automaton {
    searcher: DoubleArrayAhoCorasick<u32>,
    keys: Vec<Key>,
    literal_count: usize,
    /// By literal id: whether its key has several words (and so could span a line break).
    several_words: Vec<bool>,
}

impl Automaton {
    pub fn new(patterns: &[String], keys: Vec<Key>) -> Result<Automaton, String> {
        let literal_count = keys
            .iter()
            .flat_map(Key::literals)
            .max()
            .map_or(0, |last| last as usize + 1);
        let mut several_words = vec![false; literal_count];
        for (pattern, key) in patterns.iter().zip(&keys) {
            if pattern.trim().contains(' ') {
                key.literals()
                    .for_each(|literal| several_words[literal as usize] = true);
            }
        }
        let searcher = DoubleArrayAhoCorasick::new(patterns).map_err(|e| e.to_string())?;
        Ok(Automaton {
            searcher,
            keys,
            literal_count,
            several_words,
        })
    }

    pub fn literal_count(&self) -> usize {
        self.literal_count
    }

    /// Every occurrence of every literal, grouped by literal: literals in order of their first match, each
    /// one's spans in text order.
    pub fn scan(&self, text: &[char], words: &[u8]) -> Hits {
        let mut padded = Vec::with_capacity(words.len() + 2);
        padded.push(b' ');
        padded.extend_from_slice(words);
        padded.push(b' ');
        let mut found: Vec<(u32, Hit)> = Vec::new();
        for m in self.searcher.find_overlapping_iter(&padded) {
            let start = m.start() as u32; // the key's leading space in `padded` is the word's offset in `text`
            match &self.keys[m.value() as usize] {
                Key::Plain(literal, length) => found.push((*literal, (start, start + length))),
                Key::Uses(uses) => {
                    for u in uses {
                        let end = if u.prefix {
                            let last = m.end() - 1;
                            (last + padded[last..].iter().position(|&b| b == b' ').unwrap_or(0))
                                as u32
                                - 1
                        } else {
                            start + u.length
                        };
                        if let Some(exact) = &u.exact {
                            if text[start as usize..end as usize] != exact[..] {
                                continue;
                            }
                        }
                        found.push((u.literal, (start, end)));
                    }
                }
            }
        }
        let mut hits = Hits::new(&found, self.literal_count);
        if text.contains(&'\n') {
            hits.drop_line_crossings(text, &self.several_words);
        }
        hits
    }
}

/// The hits of one scan, grouped by literal.
pub struct Hits {
    /// Every span, those of one literal together and in text order.
    pub spans: Vec<Hit>,
    /// (literal, first, last): `spans[first..last]` are the literal's; literals in order of first match.
    pub literals: Vec<(u32, u32, u32)>,
}

thread_local! {
    /// By literal id: where the literal stands in the scan being grouped (u32::MAX: not seen). Every entry
    /// is reset after use, so the table costs one allocation per thread, not one per text.
    static SLOTS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

impl Hits {
    /// `found`: (literal, span) in the automaton's order, which is text order for each literal.
    fn new(found: &[(u32, Hit)], literal_count: usize) -> Hits {
        SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            if slots.len() < literal_count {
                slots.resize(literal_count, u32::MAX);
            }
            let mut literals: Vec<(u32, u32, u32)> = Vec::new(); // (literal, first, last) once filled
            for &(literal, _) in found {
                let slot = &mut slots[literal as usize];
                if *slot == u32::MAX {
                    *slot = literals.len() as u32;
                    literals.push((literal, 0, 0));
                }
                literals[*slot as usize].2 += 1;
            }
            let mut next = 0;
            for entry in &mut literals {
                let count = entry.2;
                (entry.1, entry.2) = (next, next);
                next += count;
            }
            let mut spans = vec![(0, 0); found.len()];
            for &(literal, hit) in found {
                let entry = &mut literals[slots[literal as usize] as usize];
                spans[entry.2 as usize] = hit;
                entry.2 += 1;
            }
            for &(literal, _, _) in &literals {
                slots[literal as usize] = u32::MAX;
            }
            Hits { spans, literals }
        })
    }

    /// Occurrences of a term of several words that span a line break are no occurrences (a literal left
    /// with none is dropped; the others keep their order).
    fn drop_line_crossings(&mut self, text: &[char], several_words: &[bool]) {
        let crosses = |&(start, end): &Hit| text[start as usize..end as usize].contains(&'\n');
        let touched = self.literals.iter().any(|&(literal, first, last)| {
            several_words[literal as usize]
                && self.spans[first as usize..last as usize]
                    .iter()
                    .any(crosses)
        });
        if !touched {
            return;
        }
        let mut spans = Vec::with_capacity(self.spans.len());
        let mut literals = Vec::with_capacity(self.literals.len());
        for &(literal, first, last) in &self.literals {
            let from = spans.len() as u32;
            let own = &self.spans[first as usize..last as usize];
            if several_words[literal as usize] {
                spans.extend(own.iter().filter(|hit| !crosses(hit)));
            } else {
                spans.extend_from_slice(own);
            }
            if spans.len() as u32 > from {
                literals.push((literal, from, spans.len() as u32));
            }
        }
        (self.spans, self.literals) = (spans, literals);
    }

    pub fn is_empty(&self) -> bool {
        self.literals.is_empty()
    }

    /// (literal, its spans) in order of first match.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[Hit])> {
        self.literals
            .iter()
            .map(|&(literal, first, last)| (literal, &self.spans[first as usize..last as usize]))
    }
}

/// Groups of literals by literal id: the located ones (sentences and occurrences worked out) and all.
pub struct Groups {
    pub count: usize,
    pub located_of: Vec<Vec<u32>>,
    pub all_of: Vec<Vec<u32>>,
}

/// Which groups occur in a text, from its hits alone: enough to tell whether any rule can apply.
pub struct Presence(Vec<u64>);

impl Presence {
    pub fn new(hits: &Hits, groups: &Groups) -> Presence {
        let mut present = vec![0u64; groups.count.div_ceil(64)];
        for (literal, _) in hits.iter() {
            for &group in &groups.all_of[literal as usize] {
                present[group as usize / 64] |= 1 << (group % 64);
            }
        }
        Presence(present)
    }

    /// Whether any term of `group` occurs in the text.
    pub fn has(&self, group: u32) -> bool {
        self.0[group as usize / 64] >> (group % 64) & 1 == 1
    }
}

/// One text and everything the rules ask of its hits, worked out once.
pub struct Scan<'a> {
    pub text: &'a [char],
    pub words: &'a [u8],
    pub sentences: Sentences,
    presence: Presence,
    words_per_mask: usize,
    masks: Vec<u64>,
    /// Occurrences of every located group, one group's together and sorted: `occurrences[bounds[g]..bounds[g + 1]]`.
    occurrences: Vec<Hit>,
    bounds: Vec<u32>,
    cue_spans: Vec<((u32, u32), Vec<Hit>)>,
}

impl<'a> Scan<'a> {
    pub fn new(
        text: &'a [char],
        words: &'a [u8],
        hits: &Hits,
        presence: Presence,
        groups: &Groups,
        caseless: bool,
    ) -> Scan<'a> {
        let sentences = Sentences::new(text, words, caseless);
        let words_per_mask = sentences.len().div_ceil(64);
        let mut masks = vec![0u64; groups.count * words_per_mask];
        let mut sizes = vec![0u32; groups.count + 1];
        let mut mixed = vec![false; groups.count]; // more than one literal: occurrences need sorting
        let mut mask = vec![0u64; words_per_mask];
        for (literal, spans) in hits.iter() {
            let located = &groups.located_of[literal as usize];
            if located.is_empty() {
                continue;
            }
            mask.fill(0);
            for &(start, _) in spans {
                let sentence = sentences.index(start);
                mask[sentence / 64] |= 1 << (sentence % 64);
            }
            for &group in located {
                let row = group as usize * words_per_mask;
                for (word, bits) in masks[row..row + words_per_mask].iter_mut().zip(&mask) {
                    *word |= bits;
                }
                let group = group as usize;
                mixed[group] |= sizes[group + 1] > 0;
                sizes[group + 1] += spans.len() as u32;
            }
        }
        for group in 0..groups.count {
            sizes[group + 1] += sizes[group];
        }
        let bounds = sizes;
        let mut occurrences = vec![(0, 0); bounds[groups.count] as usize];
        let mut filled: Vec<u32> = bounds[..groups.count].to_vec();
        for (literal, spans) in hits.iter() {
            for &group in &groups.located_of[literal as usize] {
                let at = filled[group as usize] as usize;
                occurrences[at..at + spans.len()].copy_from_slice(spans);
                filled[group as usize] += spans.len() as u32;
            }
        }
        for group in (0..groups.count).filter(|&g| mixed[g]) {
            occurrences[bounds[group] as usize..bounds[group + 1] as usize].sort_unstable();
        }
        Scan {
            text,
            words,
            sentences,
            presence,
            words_per_mask,
            masks,
            occurrences,
            bounds,
            cue_spans: Vec::new(),
        }
    }

    /// Whether any term of `group` occurs in the text.
    pub fn has(&self, group: u32) -> bool {
        self.presence.has(group)
    }

    /// Whether any term of `group` occurs in sentence `sentence`.
    pub fn in_sentence(&self, group: u32, sentence: usize) -> bool {
        self.masks[group as usize * self.words_per_mask + sentence / 64] >> (sentence % 64) & 1 == 1
    }

    /// The sentences where `group` occurs, as bits (bit i: sentence i).
    pub fn mask(&self, group: u32) -> &[u64] {
        let row = group as usize * self.words_per_mask;
        &self.masks[row..row + self.words_per_mask]
    }

    /// Every occurrence of any term of `group`, in text order.
    pub fn occurrences(&self, group: u32) -> &[Hit] {
        let group = group as usize;
        &self.occurrences[self.bounds[group] as usize..self.bounds[group + 1] as usize]
    }

    /// Occurrences of `group` that start inside `bounds`.
    pub fn within(&self, group: u32, bounds: Hit) -> &[Hit] {
        starting_within(self.occurrences(group), bounds)
    }

    pub fn sentence_of(&self, offset: u32) -> usize {
        self.sentences.index(offset)
    }

    /// Cue occurrences in the whole text, overlapping ones joined, those inside an exception left out;
    /// `prepare_cues` must have worked them out.
    pub fn cue_spans(&self, group: u32, exceptions: u32) -> &[Hit] {
        self.cue_spans
            .iter()
            .find(|(key, _)| *key == (group, exceptions))
            .map_or(&[], |(_, spans)| spans.as_slice())
    }

    pub fn prepare_cues(&mut self, group: u32, exceptions: u32) {
        if self
            .cue_spans
            .iter()
            .any(|(key, _)| *key == (group, exceptions))
        {
            return;
        }
        let mut found = merged(self.occurrences(group));
        if !found.is_empty() && self.has(exceptions) {
            let excepted = self.occurrences(exceptions);
            found.retain(|c| !excepted.iter().any(|e| overlaps(*c, *e)));
        }
        self.cue_spans.push(((group, exceptions), found));
    }
}

/// The hits of a sorted list that start inside `bounds`.
pub fn starting_within(found: &[Hit], bounds: Hit) -> &[Hit] {
    let first = found.partition_point(|h| h.0 < bounds.0);
    let last = first + found[first..].partition_point(|h| h.0 < bounds.1);
    &found[first..last]
}

pub fn overlaps(a: Hit, b: Hit) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Overlapping spans joined: 'no' inside 'no plans to' is one cue, not two.
fn merged(spans: &[Hit]) -> Vec<Hit> {
    let mut joined: Vec<Hit> = Vec::new();
    for &(start, end) in spans {
        match joined.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => joined.push((start, end)),
        }
    }
    joined
}

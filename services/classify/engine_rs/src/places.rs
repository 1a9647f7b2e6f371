//! Story features' places and named entities: capitalised names in an article's opening, told apart by the
//! words around them. services/classify/stories/places.py is the reference, holds the word lists (handed
//! over once, at construction) and says why each rule is as it is; tests/unit/classify/test_native_stories.py
//! holds this file to its answers. The text is read as characters, as Python indexes it.

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;

/// `_NAME`'s optional joiners before another capitalised word, in the regex's order of alternatives.
const JOINERS: [[char; 3]; 5] = [
    ['a', 'l', '-'],
    ['e', 'l', '-'],
    ['d', 'e', ' '],
    ['a', 'l', ' '],
    ['e', 'l', ' '],
];
const MAX_JOINED: usize = 3;
const BEFORE_WINDOW: usize = 12;

/// `[a-z\u00c0-\u024f]`: the letters that may follow a capital inside a name.
fn small(c: char) -> bool {
    c.is_ascii_lowercase() || ('\u{c0}'..='\u{24f}').contains(&c)
}

/// Python's `\s`: Unicode white space and the four information separators.
fn space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn at(chars: &[char], index: usize) -> Option<char> {
    chars.get(index).copied()
}

fn starts_with(chars: &[char], index: usize, prefix: &[char]) -> bool {
    chars.get(index..index + prefix.len()) == Some(prefix)
}

fn lower(chars: &[char]) -> String {
    chars.iter().flat_map(|c| c.to_lowercase()).collect()
}

/// `_WORD` at `start`: a capital, small letters, and hyphenated capitalised parts ("Al-Shifa"); its end.
fn word(chars: &[char], start: usize) -> Option<usize> {
    if !at(chars, start)?.is_ascii_uppercase() || !small(at(chars, start + 1)?) {
        return None;
    }
    let mut end = start + 2;
    loop {
        while at(chars, end).is_some_and(small) {
            end += 1;
        }
        let part = at(chars, end) == Some('-')
            && at(chars, end + 1).is_some_and(|c| c.is_ascii_uppercase())
            && at(chars, end + 2).is_some_and(small);
        if !part {
            return Some(end);
        }
        end += 3;
    }
}

/// `_NAME` at `start`: up to four words joined by spaces (and "al-", "de " ...), then an optional tail
/// ("-led", "'s"); (end of the name without its tail, end with it).
fn name(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let mut end = word(chars, start)?;
    for _ in 0..MAX_JOINED {
        if at(chars, end) != Some(' ') {
            break;
        }
        let next = end + 1;
        let joined = JOINERS
            .iter()
            .filter(|joiner| starts_with(chars, next, &joiner[..]))
            .find_map(|joiner| word(chars, next + joiner.len()))
            .or_else(|| word(chars, next));
        match joined {
            Some(found) => end = found,
            None => break,
        }
    }
    let mut tail = end;
    if matches!(at(chars, end), Some('-' | '\'' | '’'))
        && at(chars, end + 1).is_some_and(|c| c.is_ascii_lowercase())
    {
        tail = end + 2;
        while at(chars, tail).is_some_and(|c| c.is_ascii_lowercase()) {
            tail += 1;
        }
    }
    Some((end, tail))
}

/// `_DATELINE` matched at the start: "KHARKIV, Ukraine (Reuters)" gives "KHARKIV".
fn dateline(chars: &[char]) -> Option<&[char]> {
    let start = chars.iter().position(|&c| !space(c))?;
    if !chars[start].is_ascii_uppercase() {
        return None;
    }
    let capitals = |c: char| c.is_ascii_uppercase() || matches!(c, '\'' | '’' | ' ' | '-');
    let run = chars[start + 1..]
        .iter()
        .take_while(|&&c| capitals(c))
        .count();
    let followed = |after: usize| match at(chars, after) {
        Some(',' | '(' | '.') => true,
        Some(' ') => at(chars, after + 1) == Some('('),
        _ => false,
    };
    (start + 3..=start + run)
        .rev()
        .find(|&last| chars[last].is_ascii_uppercase() && followed(last + 1))
        .map(|last| &chars[start..=last])
}

/// Names in first-seen order with their weights.
#[derive(Default)]
struct Tally {
    names: Vec<(String, u32)>,
    index: HashMap<String, usize>,
}

impl Tally {
    fn add(&mut self, name: String, weight: u32) {
        match self.index.get(&name) {
            Some(&slot) => self.names[slot].1 += weight,
            None => {
                self.index.insert(name.clone(), self.names.len());
                self.names.push((name, weight));
            }
        }
    }

    /// The `limit` heaviest names, the first seen of equals first, leaving out those in `skip`.
    fn top(self, limit: usize, skip: &HashMap<String, usize>) -> Vec<String> {
        let mut names: Vec<(String, u32)> = self
            .names
            .into_iter()
            .filter(|(name, _)| !skip.contains_key(name))
            .collect();
        names.sort_by_key(|(_, weight)| std::cmp::Reverse(*weight));
        names
            .into_iter()
            .take(limit)
            .map(|(name, _)| name)
            .collect()
    }
}

#[pyclass(frozen, module = "newsmon_engine")]
pub struct PlaceFinder {
    opening: usize,
    max_places: usize,
    max_entities: usize,
    locatives: HashSet<String>,
    before: Vec<Vec<char>>,
    after: Vec<Vec<char>>,
    not_places: HashSet<String>,
    demonyms: HashSet<String>,
    demonym_endings: Vec<String>,
    function_words: HashSet<String>,
    bodies: Vec<String>,
}

impl PlaceFinder {
    fn located_before(&self, chars: &[char], start: usize) -> bool {
        let from = start.saturating_sub(BEFORE_WINDOW);
        self.before
            .iter()
            .any(|cue| cue.len() <= start - from && chars[start - cue.len()..start] == cue[..])
    }

    fn kind_word_after(&self, chars: &[char], end: usize) -> bool {
        self.after
            .iter()
            .any(|cue| starts_with(chars, end + 1, cue))
    }

    fn skipped(&self, name: &str) -> bool {
        self.not_places.contains(name)
            || self.demonyms.contains(name)
            || self
                .demonym_endings
                .iter()
                .any(|ending| name.ends_with(ending.as_str()))
    }
}

#[pymethods]
impl PlaceFinder {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        opening: usize,
        max_places: usize,
        max_entities: usize,
        locatives: Vec<String>,
        before: Vec<String>,
        after: Vec<String>,
        not_places: Vec<String>,
        demonyms: Vec<String>,
        demonym_endings: Vec<String>,
        function_words: Vec<String>,
        bodies: Vec<String>,
    ) -> PlaceFinder {
        let chars = |cues: Vec<String>| cues.iter().map(|cue| cue.chars().collect()).collect();
        PlaceFinder {
            opening,
            max_places,
            max_entities,
            locatives: locatives.into_iter().collect(),
            before: chars(before),
            after: chars(after),
            not_places: not_places.into_iter().collect(),
            demonyms: demonyms.into_iter().collect(),
            demonym_endings,
            function_words: function_words.into_iter().collect(),
            bodies,
        }
    }

    /// `places_and_entities` in places.py: (places, entities), lower-case, most mentioned first.
    fn find(&self, text: &str) -> (Vec<String>, Vec<String>) {
        let chars: Vec<char> = text.chars().take(self.opening).collect();
        let mut places = Tally::default();
        let mut entities = Tally::default();
        if let Some(line) = dateline(&chars) {
            places.add(lower(line), 2);
        }
        let mut start = 0;
        while start < chars.len() {
            let Some((end, tail)) = name(&chars, start) else {
                start += 1;
                continue;
            };
            if tail == end || chars[end] != '-' {
                self.mention(&chars, start, end, tail, &mut places, &mut entities);
            }
            start = tail;
        }
        let placed = places.index.clone();
        (
            places.top(self.max_places, &HashMap::new()),
            entities.top(self.max_entities, &placed),
        )
    }
}

impl PlaceFinder {
    fn mention(
        &self,
        chars: &[char],
        start: usize,
        end: usize,
        tail: usize,
        places: &mut Tally,
        entities: &mut Tally,
    ) {
        let lowered = lower(&chars[start..end]);
        let mut words: Vec<&str> = lowered.split_whitespace().collect();
        let located = self.located_before(chars, start) || self.locatives.contains(words[0]);
        let kept = words
            .iter()
            .position(|w| !self.function_words.contains(*w))
            .unwrap_or(words.len());
        words.drain(..kept);
        if words.is_empty() || (words.len() == 1 && words[0].chars().count() < 3) {
            return;
        }
        let name = words.join(" ");
        if self.skipped(&name) {
            return;
        }
        let body = self.bodies.iter().any(|b| name.ends_with(b.as_str()));
        if (located || self.kind_word_after(chars, tail)) && !body {
            places.add(name, 1);
        } else {
            entities.add(name, 1);
        }
    }
}

//! Sentences and word distances, as `services/classify/text.py` finds them. Offsets are character offsets
//! of the original text, which are also byte offsets of its normalised copy (one ASCII byte per character).

pub type Hit = (u32, u32);

const CLOSERS: [char; 7] = ['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}'];
const OPENERS: [char; 7] = ['"', '\'', '(', '[', '\u{201c}', '\u{2018}', '\u{ab}'];
const MARKS: [char; 3] = ['.', '!', '?'];
/// The Arabic question mark, which ends a sentence of a caseless script as '?' does.
const ARABIC_QUESTION: char = '\u{61f}';
const ABBREVIATIONS: [&str; 48] = [
    "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "i.e", "e.g", "mr", "mrs", "ms", "dr", "gen", "lt",
    "col", "maj", "capt", "sgt", "adm", "prof", "sen", "rep", "gov", "st", "no", "vs", "inc",
    "ltd", "co", "corp", "approx", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "fig", "vol", "ft",
];

/// Python's `str.isspace` for one character: Unicode white space plus the ASCII separators \x1c-\x1f.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `c.isalpha() and not c.islower()` for the letters of caseless scripts: Rust's alphabetic
/// property also holds the vowel marks of Arabic and Hebrew (which Python's `isalpha` leaves out).
fn is_caseless_letter(c: char) -> bool {
    let mark = matches!(c,
        '\u{300}'..='\u{36f}' | '\u{591}'..='\u{5c7}' | '\u{610}'..='\u{61a}' | '\u{64b}'..='\u{65f}'
        | '\u{670}' | '\u{6d6}'..='\u{6ed}' | '\u{8d3}'..='\u{8ff}' | '\u{fb1e}');
    c.is_alphabetic() && !c.is_lowercase() && !mark
}

fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        c.is_uppercase()
    }
}

/// Whole words strictly between two offsets of a normalised text (Python: `len(words[start:end].split())`).
pub fn words_between(words: &[u8], start: u32, end: u32) -> u32 {
    if end <= start {
        return 0;
    }
    let (start, end) = (start as usize, end as usize);
    let mut count = 0;
    let mut previous = b' ';
    for &byte in &words[start..end] {
        if byte != b' ' && previous == b' ' {
            count += 1;
        }
        previous = byte;
    }
    count
}

/// Whether `needle` occurs in `text[start..end]`.
pub fn contains(text: &[char], start: u32, end: u32, needle: &[char]) -> bool {
    let window = &text[start as usize..end as usize];
    !needle.is_empty() && window.windows(needle.len()).any(|w| w == needle)
}

/// Sentence spans of one text; see `Sentences` in text.py for the rule.
pub struct Sentences {
    pub starts: Vec<u32>,
    spans: Vec<Hit>,
}

impl Sentences {
    /// The sentences of `text`, `words` being its normalised copy.
    /// In a `caseless` script (Arabic, Persian, Hebrew) any letter may start a sentence, and the Arabic
    /// question mark ends one.
    pub fn new(text: &[char], words: &[u8], caseless: bool) -> Sentences {
        let size = text.len();
        let mut starts: Vec<u32> = vec![0];
        let mut ends: Vec<u32> = Vec::new();
        for (mark, after) in candidates(text, words, caseless) {
            let newline = text[mark] == '\n';
            if !newline && !ends_sentence(text, mark, after, caseless) {
                continue;
            }
            let end = if newline { mark } else { after - 1 };
            let mut next = after;
            while next < size && is_space(text[next]) {
                next += 1;
            }
            if next as u32 <= *starts.last().unwrap() {
                continue;
            }
            ends.push(end as u32);
            starts.push(next as u32);
        }
        ends.push(size as u32);
        let spans = starts
            .iter()
            .zip(&ends)
            .map(|(&start, &end)| {
                let mut end = end;
                while end > start && is_space(text[end as usize - 1]) {
                    end -= 1;
                }
                (start, end)
            })
            .collect();
        Sentences { starts, spans }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Which sentence the character at `offset` belongs to.
    pub fn index(&self, offset: u32) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// (start, end) of sentence `index`, trailing white space left out.
    pub fn span(&self, index: usize) -> Hit {
        self.spans[index]
    }
}

/// (mark, after) of every place a sentence may end: a mark, its closing quotes and one white space. Only
/// spaces and line breaks can follow one, and `words` has a space wherever the text has either.
fn candidates(text: &[char], words: &[u8], caseless: bool) -> Vec<(usize, usize)> {
    let is_mark = |c: char| MARKS.contains(&c) || (caseless && c == ARABIC_QUESTION);
    let mut found = Vec::new();
    for at in memchr::memchr_iter(b' ', words) {
        match text[at] {
            '\n' => found.push((at, at + 1)),
            ' ' if at > 0 => {
                let before = at - 1;
                if is_mark(text[before]) {
                    found.push((before, at + 1));
                } else if CLOSERS.contains(&text[before]) {
                    let mut stop = before;
                    while stop > 0 && CLOSERS.contains(&text[stop - 1]) {
                        stop -= 1;
                    }
                    if stop > 0 && is_mark(text[stop - 1]) {
                        found.push((stop - 1, at + 1));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn ends_sentence(text: &[char], mark: usize, after: usize, caseless: bool) -> bool {
    let window = &text[after.min(text.len())..(after + 3).min(text.len())];
    let mut i = 0;
    while i < window.len() && matches!(window[i], ' ' | '\t' | '\u{a0}') {
        i += 1;
    }
    while i < window.len() && OPENERS.contains(&window[i]) {
        i += 1;
    }
    let following = window.get(i).copied();
    if let Some(c) = following {
        let starts = is_upper(c) || c.is_ascii_digit() || c == '\n';
        if !(starts || caseless && is_caseless_letter(c)) {
            return false;
        }
    }
    if text[mark] != '.' {
        return true;
    }
    let floor = mark.saturating_sub(8);
    let word_start = text[floor..mark]
        .iter()
        .rposition(|&c| c == ' ' || c == '\n')
        .map_or(0, |at| floor + at + 1);
    if word_start == 0 && floor > 0 {
        return true; // a word of eight letters or more is no abbreviation
    }
    let mut first = word_start;
    while first < mark && OPENERS.contains(&text[first]) {
        first += 1;
    }
    let word: String = text[first..mark]
        .iter()
        .flat_map(|c| c.to_lowercase())
        .collect();
    if word == "no" {
        // "No. 10" is a number; "No. There are no plans" two sentences
        return !following.is_some_and(|c| c.is_ascii_digit());
    }
    let single_letter = {
        let mut chars = word.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
    };
    !(ABBREVIATIONS.contains(&word.as_str()) || single_letter)
}

//! Signal rules, topics and actors over one scan, as rules.py and topics.py define them: proximity, sense
//! exclusions, contrary context, negation and hedging scope. Every decision mirrors the Python engine, which
//! stays the reference (a test holds both to the same answers).

use smallvec::SmallVec;

use crate::scan::{overlaps, starting_within, Hits, Presence, Scan};
use crate::text::{contains, words_between, Hit};

pub struct Cues {
    pub before: u32,
    pub far: u32,
    pub after: u32,
    pub exceptions: u32,
    pub window: u32,
    pub far_window: u32,
    pub has_before: bool,
    pub has_far: bool,
    pub has_after: bool,
    /// Several cues before a match negate it once (negative concord) instead of cancelling in pairs.
    pub concord: bool,
}

pub struct Pattern {
    pub anchor: u32,
    pub others: Vec<u32>,
    pub within: u32,
    /// The signal's contrary contexts, then the pattern's own: (group, reach in words).
    pub unless: Vec<(u32, u32)>,
    /// Groups whose presence in a sentence makes a match there worth checking further.
    pub doubts: Vec<u32>,
    /// Groups the text must hold for the pattern to match at all.
    pub needs: Vec<u32>,
}

pub struct Signal {
    pub terms: u32,
    pub exclude: u32,
    pub negatable: bool,
    pub negation_window: Option<u32>,
    pub drop_hedged: bool,
    pub patterns: Vec<Pattern>,
}

pub struct Topic {
    pub terms: u32,
    pub parties: Vec<u32>,
    pub unless: Option<u32>,
}

pub struct TopicRule {
    pub short_text_sentences: usize,
    pub min_sentences: u32,
    pub min_share_of_top: f64,
    pub title_weight: u32,
}

/// The parts of one match: its anchor, then one occurrence per other group of its pattern.
type Parts = SmallVec<[Hit; 4]>;

/// What every rule shares: negation and hedging cues and clause breaks.
pub struct Context {
    pub negation: Cues,
    pub hedging: Cues,
    pub clause_breaks: Vec<Vec<char>>,
}

impl Context {
    pub fn prepare(&self, scan: &mut Scan) {
        for cues in [&self.negation, &self.hedging] {
            scan.prepare_cues(cues.before, cues.exceptions);
            scan.prepare_cues(cues.after, cues.exceptions);
        }
    }

    fn governs(&self, cues: &Cues, scan: &Scan, sentence: usize) -> bool {
        scan.in_sentence(cues.before, sentence) || scan.in_sentence(cues.after, sentence)
    }

    /// How many cues govern a match, (before, after); see `Context.cue_count` in rules.py.
    fn cue_count(
        &self,
        cues: &Cues,
        scan: &Scan,
        parts: &[Hit],
        bounds: Hit,
        window: Option<u32>,
    ) -> (u32, u32) {
        let mut ordered = Parts::from_slice(parts);
        ordered.sort_unstable();
        let reach = window.unwrap_or(cues.window);
        let (mut before, mut after) = (0, 0);
        let last_part = ordered[ordered.len() - 1];
        if cues.has_before {
            let spans = starting_within(
                scan.cue_spans(cues.before, cues.exceptions),
                (bounds.0, last_part.0),
            );
            for &cue in spans {
                if ordered.iter().any(|&p| overlaps(cue, p)) {
                    continue;
                }
                let Some(following) = ordered.iter().find(|p| p.0 >= cue.1) else {
                    continue;
                };
                let far = cues.has_far && !scan.within(cues.far, cue).is_empty();
                if self.reaches(
                    scan,
                    cue.1,
                    following.0,
                    if far { cues.far_window } else { reach },
                ) {
                    before += 1;
                }
            }
        }
        if cues.has_after {
            let last = last_part.1;
            for &cue in starting_within(
                scan.cue_spans(cues.after, cues.exceptions),
                (last, bounds.1),
            ) {
                if cue.1 <= bounds.1 && self.reaches(scan, last, cue.0, reach) {
                    after += 1;
                }
            }
        }
        (before, after)
    }

    fn reaches(&self, scan: &Scan, start: u32, end: u32, window: u32) -> bool {
        if words_between(scan.words, start, end) > window {
            return false;
        }
        end < start
            || !self
                .clause_breaks
                .iter()
                .any(|b| contains(scan.text, start, end, b))
    }
}

impl Signal {
    /// Whether some pattern has all its parts in the text (else `find` has nothing to look at).
    pub fn may_match(&self, presence: &Presence) -> bool {
        presence.has(self.terms)
            && self
                .patterns
                .iter()
                .any(|p| p.needs.iter().all(|&g| presence.has(g)))
    }

    /// The passages (start, end) that support this signal, in text order: one per sentence at most,
    /// `max_passages` in all.
    /// `done` is scratch space, one flag per sentence.
    pub fn find(
        &self,
        scan: &Scan,
        context: &Context,
        max_passages: usize,
        done: &mut Vec<bool>,
    ) -> Vec<Hit> {
        let mut passages: Vec<Hit> = Vec::new();
        if !scan.has(self.terms) {
            return passages;
        }
        done.clear();
        done.resize(scan.sentences.len(), false);
        for pattern in &self.patterns {
            if !pattern.needs.iter().all(|&g| scan.has(g)) {
                continue;
            }
            for &anchor in scan.occurrences(pattern.anchor) {
                let index = scan.sentence_of(anchor.0);
                if done[index] || !pattern.others.iter().all(|&g| scan.in_sentence(g, index)) {
                    continue;
                }
                let Some(parts) = matched(pattern, anchor, index, scan) else {
                    continue;
                };
                let doubtful = pattern.doubts.iter().any(|&g| scan.in_sentence(g, index));
                if !doubtful || self.accepted(pattern, &parts, index, scan, context) {
                    passages.push(span(&parts));
                    done[index] = true;
                    if passages.len() >= max_passages {
                        passages.sort_unstable();
                        return passages;
                    }
                }
            }
        }
        passages.sort_unstable();
        passages
    }

    fn accepted(
        &self,
        pattern: &Pattern,
        parts: &[Hit],
        index: usize,
        scan: &Scan,
        context: &Context,
    ) -> bool {
        let anchor = parts[0];
        let bounds = scan.sentences.span(index);
        if scan.in_sentence(self.exclude, index)
            && scan
                .within(self.exclude, bounds)
                .iter()
                .any(|&e| parts.iter().any(|&p| overlaps(e, p)))
        {
            return false;
        }
        for &(group, reach) in &pattern.unless {
            if scan.in_sentence(group, index)
                && scan
                    .within(group, bounds)
                    .iter()
                    .any(|&o| near(scan, o, anchor, reach))
            {
                return false;
            }
        }
        let negation = &context.negation;
        if self.negatable && context.governs(negation, scan, index) {
            let (before, after) =
                context.cue_count(negation, scan, parts, bounds, self.negation_window);
            // two cues before a match cancel (unless the language negates in concord); a cue after it
            // denies what came before, whatever else does
            let negated = if negation.concord {
                before > 0
            } else {
                before % 2 == 1
            };
            if negated || after > 0 {
                return false;
            }
        }
        let hedging = &context.hedging;
        if self.drop_hedged && context.governs(hedging, scan, index) {
            return context.cue_count(hedging, scan, parts, bounds, None) == (0, 0);
        }
        true
    }
}

/// The anchor plus, for every other group, its nearest occurrence in the same sentence within reach (the
/// first among equally near ones); None when a group has none.
fn matched(pattern: &Pattern, anchor: Hit, index: usize, scan: &Scan) -> Option<Parts> {
    let mut parts = Parts::new();
    parts.push(anchor);
    if pattern.others.is_empty() {
        return Some(parts);
    }
    let bounds = scan.sentences.span(index);
    for &group in &pattern.others {
        let mut best: Option<(Hit, u32)> = None;
        for &other in scan.within(group, bounds) {
            if overlaps(other, anchor) || parts[1..].iter().any(|&p| overlaps(other, p)) {
                continue;
            }
            let distance = distance(scan, anchor, other);
            if distance <= pattern.within && best.is_none_or(|(_, d)| distance < d) {
                best = Some((other, distance));
            }
        }
        parts.push(best?.0);
    }
    Some(parts)
}

fn distance(scan: &Scan, a: Hit, b: Hit) -> u32 {
    if b.0 >= a.1 {
        words_between(scan.words, a.1, b.0)
    } else {
        words_between(scan.words, b.1, a.0)
    }
}

fn near(scan: &Scan, a: Hit, b: Hit, within: u32) -> bool {
    overlaps(a, b) || distance(scan, a, b) <= within
}

/// From the first start to the last end of a match's parts.
fn span(parts: &[Hit]) -> Hit {
    let start = parts.iter().map(|p| p.0).min().unwrap_or(0);
    let end = parts.iter().map(|p| p.1).max().unwrap_or(0);
    (start, end)
}

impl Topic {
    /// Whether the text names the topic's terms or both its parties (else its count is 0).
    pub fn may_count(&self, presence: &Presence) -> bool {
        presence.has(self.terms)
            || (!self.parties.is_empty() && self.parties.iter().all(|&g| presence.has(g)))
    }
}

impl TopicRule {
    /// Indices of the topics the text is about; see topics.py.
    pub fn assign(&self, topics: &[Topic], scan: &Scan) -> Vec<usize> {
        let counts: Vec<u32> = topics.iter().map(|t| self.count(t, scan)).collect();
        let top = counts.iter().copied().max().unwrap_or(0);
        if top == 0 {
            return Vec::new();
        }
        let short = scan.sentences.len() <= self.short_text_sentences;
        let minimum = if short { 1 } else { self.min_sentences };
        let floor = f64::from(minimum).max(self.min_share_of_top * f64::from(top));
        (0..topics.len())
            .filter(|&i| f64::from(counts[i]) >= floor)
            .collect()
    }

    fn count(&self, topic: &Topic, scan: &Scan) -> u32 {
        let both = !topic.parties.is_empty() && topic.parties.iter().all(|&g| scan.has(g));
        if !both && !scan.has(topic.terms) {
            return 0;
        }
        let mut about: Vec<u64> = scan.mask(topic.terms).to_vec();
        if both {
            for (i, word) in about.iter_mut().enumerate() {
                *word |= topic
                    .parties
                    .iter()
                    .fold(u64::MAX, |shared, &g| shared & scan.mask(g)[i]);
            }
        }
        if let Some(unless) = topic.unless {
            if scan.has(unless) {
                for (word, excluded) in about.iter_mut().zip(scan.mask(unless)) {
                    *word &= !excluded;
                }
            }
        }
        let mut count: u32 = about.iter().map(|w| w.count_ones()).sum();
        if about[0] & 1 == 1 && has_title(scan) {
            count += self.title_weight - 1;
        }
        count
    }
}

/// The first line is a headline when it stands alone as the first sentence.
fn has_title(scan: &Scan) -> bool {
    match scan.text.iter().position(|&c| c == '\n') {
        Some(newline) => scan.sentences.span(0).1 as usize <= newline,
        None => false,
    }
}

/// Indices of the actors named, in order of first mention (ties in order of first match).
pub fn actors(actor_of: &[i32], actor_terms: u32, hits: &Hits, presence: &Presence) -> Vec<usize> {
    if !presence.has(actor_terms) {
        return Vec::new();
    }
    let mentions: Vec<(u32, u32, i32)> = hits
        .iter()
        .filter(|&(literal, _)| actor_of[literal as usize] >= 0)
        .flat_map(|(literal, spans)| {
            spans
                .iter()
                .map(move |&(start, end)| (start, end, actor_of[literal as usize]))
        })
        .collect();
    // A mention inside a longer mention of another actor is not one ("South Sudan" is not Sudan too).
    let inside_another = |&(start, end, code): &(u32, u32, i32)| {
        mentions
            .iter()
            .any(|&(s, e, c)| s <= start && end <= e && e - s > end - start && c != code)
    };
    let mut firsts: Vec<(usize, u32)> = Vec::new();
    for mention in &mentions {
        let (start, _, code) = *mention;
        let known = firsts.iter().position(|(c, _)| *c == code as usize);
        if known.is_some_and(|at| firsts[at].1 <= start) || inside_another(mention) {
            continue;
        }
        match known {
            Some(at) => firsts[at].1 = start,
            None => firsts.push((code as usize, start)),
        }
    }
    firsts.sort_by_key(|&(_, first)| first);
    firsts.into_iter().map(|(code, _)| code).collect()
}

//! newsmon's classification engine, hot path in Rust: the automaton scan, sentences, signal rules, topics
//! and actors of one text. The taxonomy is compiled in Python (services/classify/engine.py) and handed over
//! as a plan of numbered literals and groups; this crate applies it. The Python engine stays the
//! reference: a test holds both to the same answers over every labelled text.

mod places;
mod raw;
mod rules;
mod scan;
mod sketch;
mod text;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use rules::{Context, Cues, Pattern, Signal, Topic, TopicRule};
use scan::{Automaton, Groups, Key, Presence, Scan, Use};

type CueSpec = (u32, u32, u32, u32, u32, u32, bool, bool, bool, bool);
type UseSpec = (u32, u32, bool, Option<String>);
type PatternSpec = (u32, Vec<u32>, u32, Vec<(u32, u32)>, Vec<u32>, Vec<u32>);
type SignalSpec = (u32, u32, bool, Option<u32>, bool, Vec<PatternSpec>);
type Passage = (u32, u32, u32, u32);
type Found = (Vec<(usize, Vec<Passage>)>, Vec<usize>, Vec<usize>);

/// A compiled taxonomy, ready to analyse texts.
#[pyclass(frozen, module = "newsmon_engine")]
struct Engine {
    automaton: Automaton,
    groups: Groups,
    context: Context,
    signals: Vec<Signal>,
    topics: Vec<Topic>,
    topic_rule: TopicRule,
    actor_of: Vec<i32>,
    actor_terms: u32,
    max_passages: usize,
    /// Whether the script has no capitals (see `Sentences::new`).
    caseless: bool,
}

fn item<'py, T: for<'a> FromPyObject<'a, 'py>>(
    plan: &Bound<'py, PyDict>,
    key: &str,
) -> PyResult<T> {
    match plan.get_item(key)? {
        Some(value) => value.extract::<T>().map_err(|e| {
            let error: PyErr = e.into();
            PyValueError::new_err(format!("plan[{key:?}]: {error}"))
        }),
        None => Err(PyValueError::new_err(format!("the plan has no {key:?}"))),
    }
}

fn cues(spec: CueSpec) -> Cues {
    let (
        before,
        far,
        after,
        exceptions,
        window,
        far_window,
        has_before,
        has_far,
        has_after,
        concord,
    ) = spec;
    Cues {
        before,
        far,
        after,
        exceptions,
        window,
        far_window,
        has_before,
        has_far,
        has_after,
        concord,
    }
}

fn key(uses: Vec<UseSpec>) -> Key {
    match uses.as_slice() {
        [(literal, length, false, None)] => Key::Plain(*literal, *length),
        _ => Key::Uses(
            uses.into_iter()
                .map(|(literal, length, prefix, exact)| Use {
                    literal,
                    length,
                    prefix,
                    exact: exact.map(|e| e.chars().collect()),
                })
                .collect(),
        ),
    }
}

fn signal(
    (terms, exclude, negatable, negation_window, drop_hedged, patterns): SignalSpec,
) -> Signal {
    let patterns = patterns
        .into_iter()
        .map(|(anchor, others, within, unless, doubts, needs)| Pattern {
            anchor,
            others,
            within,
            unless,
            doubts,
            needs,
        })
        .collect();
    Signal {
        terms,
        exclude,
        negatable,
        negation_window,
        drop_hedged,
        patterns,
    }
}

impl Engine {
    /// Every group and literal number the plan uses is in range, so no text can make a lookup fail.
    fn check(&self) -> Result<(), String> {
        let (groups, literals) = (self.groups.count as u32, self.automaton.literal_count());
        let tables = [
            self.groups.located_of.len(),
            self.groups.all_of.len(),
            self.actor_of.len(),
        ];
        if tables.iter().any(|&n| n != literals) {
            return Err(format!(
                "tables by literal must have {literals} entries, not {tables:?}"
            ));
        }
        let mut used: Vec<u32> = vec![self.actor_terms];
        for cues in [&self.context.negation, &self.context.hedging] {
            used.extend([cues.before, cues.far, cues.after, cues.exceptions]);
        }
        used.extend(
            self.groups
                .located_of
                .iter()
                .chain(&self.groups.all_of)
                .flatten(),
        );
        for signal in &self.signals {
            used.extend([signal.terms, signal.exclude]);
            for p in &signal.patterns {
                used.push(p.anchor);
                used.extend(p.others.iter().chain(&p.doubts).chain(&p.needs));
                used.extend(p.unless.iter().map(|&(group, _)| group));
            }
        }
        for topic in &self.topics {
            used.push(topic.terms);
            used.extend(topic.parties.iter().chain(&topic.unless));
        }
        match used.into_iter().find(|&g| g >= groups) {
            Some(group) => Err(format!("group {group} of {groups}")),
            None => Ok(()),
        }
    }
}

#[pymethods]
impl Engine {
    #[new]
    fn new(plan: &Bound<'_, PyDict>) -> PyResult<Engine> {
        let keys: Vec<(String, Vec<UseSpec>)> = item(plan, "keys")?;
        let (patterns, uses): (Vec<String>, Vec<Vec<UseSpec>>) = keys.into_iter().unzip();
        let automaton = Automaton::new(&patterns, uses.into_iter().map(key).collect())
            .map_err(PyValueError::new_err)?;
        let (count, located_of, all_of): (usize, Vec<Vec<u32>>, Vec<Vec<u32>>) =
            item(plan, "groups")?;
        let breaks: Vec<String> = item(plan, "clause_breaks")?;
        let topics: Vec<(u32, Vec<u32>, Option<u32>)> = item(plan, "topics")?;
        let (short_text_sentences, min_sentences, min_share_of_top, title_weight) =
            item(plan, "topic_rule")?;
        let signals: Vec<SignalSpec> = item(plan, "signals")?;
        let engine = Engine {
            automaton,
            groups: Groups {
                count,
                located_of,
                all_of,
            },
            context: Context {
                negation: cues(item(plan, "negation")?),
                hedging: cues(item(plan, "hedging")?),
                clause_breaks: breaks.iter().map(|b| b.chars().collect()).collect(),
            },
            signals: signals.into_iter().map(signal).collect(),
            topics: topics
                .into_iter()
                .map(|(terms, parties, unless)| Topic {
                    terms,
                    parties,
                    unless,
                })
                .collect(),
            topic_rule: TopicRule {
                short_text_sentences,
                min_sentences,
                min_share_of_top,
                title_weight,
            },
            actor_of: item(plan, "actor_of")?,
            actor_terms: item(plan, "actor_terms")?,
            max_passages: item(plan, "max_passages")?,
            caseless: item(plan, "caseless")?,
        };
        engine
            .check()
            .map_err(|e| PyValueError::new_err(format!("inconsistent plan: {e}")))?;
        Ok(engine)
    }

    /// What the taxonomy finds in `text` (`words` is its normalised copy): None when no term occurs, else
    /// (signals as (index, passages), topic indices, actor indices). A passage is (start, end, sentence
    /// start, sentence end) in characters.
    fn analyse(&self, text: &str, words: &str) -> PyResult<Option<Found>> {
        let chars: Vec<char> = text.chars().collect();
        if !words.is_ascii() || chars.len() != words.len() {
            return Err(PyValueError::new_err(
                "`words` must be the normalised text, as long as the text",
            ));
        }
        let hits = self.automaton.scan(&chars, words.as_bytes());
        if hits.is_empty() {
            return Ok(None);
        }
        let presence = Presence::new(&hits, &self.groups);
        let actors = rules::actors(&self.actor_of, self.actor_terms, &hits, &presence);
        let applicable = self.signals.iter().any(|s| s.may_match(&presence))
            || self.topics.iter().any(|t| t.may_count(&presence));
        if !applicable {
            return Ok(Some((Vec::new(), Vec::new(), actors))); // no sentences needed
        }
        let mut scan = Scan::new(
            &chars,
            words.as_bytes(),
            &hits,
            presence,
            &self.groups,
            self.caseless,
        );
        self.context.prepare(&mut scan);
        let mut found = Vec::new();
        let mut done = Vec::new();
        for (index, signal) in self.signals.iter().enumerate() {
            let passages = signal.find(&scan, &self.context, self.max_passages, &mut done);
            if !passages.is_empty() {
                let evidence = passages
                    .into_iter()
                    .map(|(start, end)| {
                        let (first, last) = scan.sentences.span(scan.sentence_of(start));
                        (start, end, first, last)
                    })
                    .collect();
                found.push((index, evidence));
            }
        }
        let topics = self.topic_rule.assign(&self.topics, &scan);
        Ok(Some((found, topics, actors)))
    }
}

#[pymodule]
fn newsmon_engine(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("SOURCES", env!("NEWSMON_ENGINE_SOURCES"))?;
    module.add_class::<Engine>()?;
    module.add_class::<raw::RawScanner>()?;
    module.add_class::<sketch::CopyTable>()?;
    module.add_class::<places::PlaceFinder>()?;
    module.add_function(wrap_pyfunction!(sketch::minhash, module)?)
}

"""Topic assignment: a text is about a conflict when enough of its sentences are, not on a passing mention.

A sentence is about a topic when it names one of the topic's own terms (places, armed groups, phrases such as
"Taiwan Strait") or names both parties, and holds none of the topic's `unless` terms (a cricket report names
both India and Pakistan). Terms and `unless` may name lexicon groups (`@sport_pages`), so one list of other
senses serves every theatre. A topic is assigned when its sentence count (the title counting
`title_weight`) reaches `min_sentences` (one sentence suffices in texts of at most `short_text_sentences`) and
is at least `min_share_of_top` of the leading topic's count.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.classify.matcher import Matcher
from services.classify.rules import Context, Group, Scan, resolve_all
from services.classify.taxonomy import Taxonomy, TopicRule


@dataclass(frozen=True)
class CompiledTopic:
    id: str
    terms: Group
    parties: tuple[Group, ...]
    unless: Group | None


@dataclass(frozen=True)
class TopicModel:
    topics: tuple[CompiledTopic, ...]
    rule: TopicRule

    @classmethod
    def compile(cls, taxonomy: Taxonomy, matcher: Matcher, context: Context) -> TopicModel:
        aliases = dict(context.actors)
        topics = tuple(
            CompiledTopic(
                t.id,
                matcher.group(resolve_all(t.terms, taxonomy, matcher)),
                tuple(matcher.group(aliases[p]) for p in t.parties),
                matcher.group(resolve_all(t.unless, taxonomy, matcher)) if t.unless else None,
            )
            for t in taxonomy.topics
        )
        return cls(topics, taxonomy.topic_rule)

    def assign(self, scan: Scan) -> tuple[str, ...]:
        counts = {t.id: self._count(t, scan) for t in self.topics}
        top = max(counts.values(), default=0)
        if top == 0:
            return ()
        short = len(scan.sentences) <= self.rule.short_text_sentences
        floor = max(1 if short else self.rule.min_sentences, self.rule.min_share_of_top * top)
        return tuple(t.id for t in self.topics if counts[t.id] >= floor)

    def _count(self, topic: CompiledTopic, scan: Scan) -> int:
        both = bool(topic.parties) and all(scan.has(group) for group in topic.parties)
        if not both and not scan.has(topic.terms):
            return 0
        masks = scan.masks
        about = masks[topic.terms]  # bit i: sentence i is about the topic
        if both:
            shared = -1
            for group in topic.parties:
                shared &= masks[group]
            about |= shared
        if topic.unless is not None and scan.has(topic.unless):
            about &= ~masks[topic.unless]
        count = about.bit_count()
        if about & 1 and _has_title(scan):
            count += self.rule.title_weight - 1
        return count


def _has_title(scan: Scan) -> bool:
    """The first line is a headline when it stands alone as the first sentence."""
    newline = scan.text.find("\n")
    return newline != -1 and scan.sentences.span(0)[1] <= newline

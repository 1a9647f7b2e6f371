"""The story stage in real classify processes: copies read on different partitions by different workers
join one story, and a restarted stage keeps its stories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from schemas import ClassifiedArticle, RawArticle, StoryRef, decode
from services.classify.produce import partition_for
from services.classify.stories import story_id_for
from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.classify.conftest import Worker, drain_all
from tests.integration.classify.test_rebalance import stable_members
from tests.support import drain

DATELINE = "ZAPORIZHZHIA, Ukraine, May 12 (Reuters) - "
WIRE = (
    "Russian glide bombs hit a tram depot in Zaporizhzhia on Tuesday afternoon, killing seven people and "
    "wounding 23, regional governor Ivan Fedorov said. Emergency crews pulled two drivers from the "
    "wreckage of the workshop, and the city halted tram services on four lines until further notice. "
    "Fedorov said the bombs were dropped from aircraft over occupied territory south of the city.\n\n"
    "(Reporting by Olena Harmash; Editing by Mark Heinrich)"
)
ELSEWHERE = (
    "A cargo ship ran aground off the coast of Tasmania on Tuesday after losing engine power in a storm, "
    "the Australian Maritime Safety Authority said, adding that all 19 crew members were safe."
)


def article(article_id: str, text: str, source: str, title: str, at: datetime) -> RawArticle:
    return RawArticle(
        id=article_id,
        feed_id="f-" + source.lower().replace(" ", "-"),
        source=source,
        url=f"https://news.example/{article_id}",
        title=title,
        content=text,
        published_at=at,
        fetched_at=at,
    )


def stories(records: list[object]) -> dict[str, StoryRef]:
    out: dict[str, StoryRef] = {}
    for record in records:
        classified = decode(ClassifiedArticle, record.value)  # type: ignore[attr-defined]
        assert classified.story is not None, classified.id
        out[classified.id] = classified.story
    return out


def growing(worker: Worker) -> dict[str, tuple[str, float]]:
    """Rank -> (story id, new outlets) of the worker's fastest-growing stories gauge."""
    status, text = worker.get("/metrics")
    assert status == 200, worker.logs()
    return {
        sample.labels["rank"]: (sample.labels["story"], sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "newsmon_classify_story_growth"
    }


def test_copies_read_by_two_workers_on_different_partitions_join_one_story(
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    first, second = start_worker(name="first"), start_worker(name="second")
    first.wait_for(lambda: stable_members(kafka_settings) == 2, 120, "two members sharing the partitions")
    first.wait_ready()
    second.wait_ready()
    producer = producer_factory()
    classified = consumer_factory(topics.classified)
    at = datetime.now(UTC) - timedelta(hours=1)
    send_and_wait(
        producer, topics.articles, "wire", article("wire", DATELINE + WIRE, "Reuters", "Depot hit", at)
    )
    assert [r.key for r in drain(classified, 1, 90)] == [b"wire"], first.logs() + second.logs()
    copies = [f"copy-{n}" for n in range(6)]
    for n, copy_id in enumerate(copies):
        text = WIRE if n % 2 else DATELINE + WIRE.replace("Tuesday afternoon", "Tuesday")
        later = at + timedelta(minutes=5 + n)
        send_and_wait(
            producer,
            topics.articles,
            copy_id,
            article(copy_id, text, f"Outlet {n}", f"Seven dead {n}", later),
        )
    send_and_wait(
        producer, topics.articles, "ship", article("ship", ELSEWHERE, "Outlet 9", "Ship aground", at)
    )

    got = stories(drain_all(classified, len(copies) + 1))
    partitions = {partition_for(c.encode(), list(range(kafka_settings.partitions))) for c in copies}
    assert len(partitions) > 1, "the copies should be read from several partitions"
    for worker in (first, second):
        assert worker.metric("newsmon_classify_articles_total", outcome="classified") > 0, worker.logs()
    assert {got[c].story_id for c in copies} == {story_id_for("wire")}
    assert {(got[c].copy_of, got[c].report_id) for c in copies} == {("wire", "wire")}
    assert {got[c].independent_reports for c in copies} == {1}
    assert max(got[c].articles for c in copies) == len(copies) + 1  # the last staged saw them all
    assert got["ship"].story_id == story_id_for("ship")
    copies_counted = sum(
        w.metric("newsmon_classify_story_assignments_total", kind="copy") for w in (first, second)
    )
    assert copies_counted == len(copies)
    shown = first.wait_for(
        lambda: [g for g in (growing(first), growing(second)) if len(g) == 2],
        30,
        "the stage's worker exporting the two stories as growing",
    )
    assert shown == [{"1": (story_id_for("wire"), 1 + len(copies)), "2": (story_id_for("ship"), 1)}]
    assert {} in (growing(first), growing(second)), "only the stage's worker exports growing stories"


def test_a_restarted_stage_rebuilds_its_stories_from_their_changelog(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    worker = start_worker()
    producer = producer_factory()
    classified = consumer_factory(topics.classified)
    at = datetime.now(UTC) - timedelta(hours=1)
    send_and_wait(
        producer, topics.articles, "wire", article("wire", DATELINE + WIRE, "Reuters", "Depot hit", at)
    )
    assert [r.key for r in drain(classified, 1, 90)] == [b"wire"], worker.logs()
    assert worker.stop() == 0, worker.logs()

    worker = start_worker(name="again")
    later = at + timedelta(hours=3)
    send_and_wait(
        producer, topics.articles, "copy", article("copy", WIRE, "Kyiv Daily", "Seven killed", later)
    )
    got = stories(drain(classified, 1, 120))
    assert (got["copy"].story_id, got["copy"].copy_of) == (story_id_for("wire"), "wire"), worker.logs()
    assert "story book ready: 1 stories, 1 articles" in worker.logs(), worker.logs()

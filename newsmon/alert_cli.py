"""`newsmon alert test`, `newsmon receivers list`, `newsmon silence add|list|expire`, `newsmon ack`,
`newsmon backtest`."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from newsmon import runtime
from schemas import Acknowledgement, Alert, AlertEvidence, DeliveryRecord, Severity, Silence, parse_duration
from streambase.clock import SystemClock
from streambase.settings import ServiceSettings

if TYPE_CHECKING:
    from services.alert.backtest import BacktestResult, Classifies, Item
    from services.alert.grouping import Timing

PROGRESS_FROM_BYTES = 256 * 1024


# -- newsmon alert test ----------------------------------------------------------------------------------


@click.group("alert")
def alert_group() -> None:
    """Check the alert receivers."""


@alert_group.command("test")
@click.option(
    "--receiver",
    "name",
    required=True,
    help="Receiver to try: slack, email, console or a name in receivers:.",
)
@click.option("--severity", type=click.Choice([s.value for s in Severity]), default="low", show_default=True)
def alert_test(name: str, severity: str) -> None:
    """Send a test notification to one receiver, the same way the service does, and say how it went.

    \b
    Example:
      NEWSMON_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... newsmon alert test --receiver slack
      newsmon alert test --receiver mideast-desk
    """
    from services.alert.notification import Notification
    from services.alert.receiver_specs import LEGACY
    from services.alert.retry import Delivered, Permanent
    from services.alert.wiring import build_receivers

    base = runtime.start("alert")
    config = runtime.load_or_exit(base)
    specs = tuple(s for s in config.receivers if s.name == name)
    rt = runtime.alert_settings(base, specs)
    try:
        receivers = build_receivers(rt, specs)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if name not in receivers:
        how = LEGACY.get(name, f"no receiver is named {name!r} in `receivers:` of {base.runtime.config}")
        raise click.ClickException(f"receiver {name!r} is not configured: {how}")
    now = SystemClock().now()
    alert = _test_alert(Severity(severity), now)
    verdict = receivers[name].send(Notification(name, alert.fingerprint, (alert,)))
    if isinstance(verdict, Delivered):
        click.echo(f"{name}: test notification delivered")
        return
    kind = "permanent failure" if isinstance(verdict, Permanent) else "temporary failure (would be retried)"
    detail = getattr(verdict, "detail", "")
    raise click.ClickException(f"{name}: {kind}: {verdict.reason}{': ' + detail if detail else ''}")


def _test_alert(severity: Severity, now: datetime) -> Alert:
    return Alert(
        id=f"test-{int(now.timestamp())}",
        fingerprint="test",
        rule_id="receiver_test",
        rule_kind="article",
        severity=severity,
        title="newsmon test notification",
        summary="If you can read this, alerts reach this receiver. No action needed.",
        topic="test",
        signals=("test_signal",),
        labels={"rule": "receiver_test", "severity": severity.value},
        evidence=(
            AlertEvidence(
                article_id="test",
                source="newsmon",
                title="A sample article",
                url="https://example.org/newsmon-test",
                signal="test_signal",
                quote="sample quote",
                sentence="Evidence appears like this, with the sample quote in bold.",
                published_at=now,
            ),
        ),
        distinct_sources=1,
        first_seen=now,
        last_seen=now,
        fired_at=now,
    )


# -- newsmon receivers list ------------------------------------------------------------------------------


@click.group("receivers")
def receivers_group() -> None:
    """The alert receivers this deployment configures."""


@receivers_group.command("list")
def receivers_list() -> None:
    """Show every receiver (named in receivers: and the old NEWSMON_SLACK_*/NEWSMON_SMTP_* ones): its type,
    whether its secret is set (never the secret itself), and its last delivery from the delivery records.

    Run it where the alert service runs, with the same NEWSMON_* variables and newsmon.yaml, to see what a
    replica started there would use.

    \b
    Example:
      $ newsmon receivers list
      NAME          TYPE     SECRET                 LAST DELIVERY                  OUTCOME
      console       console  -                      never                          never
      mideast-desk  slack    set                    2025-06-17 12:02 UTC (4m ago)  delivered
      europe-desk   teams    missing: EUROPE_URL    2025-06-16 09:14 UTC (1d ago)  failed: http_404: ...
    """
    from services.alert.receiver_list import latest_by_receiver, receiver_rows, render_rows
    from streambase.logs import scrubber

    base = runtime.start("receivers")
    config = runtime.load_or_exit(base)
    rt = runtime.alert_settings(base, config.receivers)
    records = _read_deliveries(base)
    rows = receiver_rows(config.receivers, config.alerting, rt, latest_by_receiver(records or ()))
    table = render_rows(rows, SystemClock().now(), known=records is not None)
    click.echo(scrubber.scrub(table))  # a delivery error is scrubbed when written; this is a second guard


def _read_deliveries(rt: ServiceSettings) -> list[DeliveryRecord] | None:
    """Every delivery record on the broker; None (said on stderr) when no broker answers."""
    from schemas import InvalidMessage, decode
    from streambase.broker import reachable
    from streambase.kafka import make_consumer
    from streambase.tables import read_compacted
    from streambase.topics import Topics

    if not reachable(rt.kafka.bootstrap_servers):
        servers = ",".join(rt.kafka.bootstrap_servers)
        click.echo(f"no Kafka broker answers at {servers}: last deliveries unknown", err=True)
        return None
    consumer = make_consumer(rt.kafka, "newsmon-receivers-list", None)
    try:
        raw = read_compacted(consumer, Topics.from_settings(rt.kafka).delivery)
    finally:
        consumer.close()
    records = []
    for value in raw.values():
        try:
            records.append(decode(DeliveryRecord, value))
        except InvalidMessage:
            continue  # a tombstone or a record of another version: not a delivery to show
    return records


# -- newsmon ack -----------------------------------------------------------------------------------------


@click.command("ack")
@click.argument("situation")
@click.option("--by", "by", required=True, help="Who is acknowledging (shown to everyone who got it).")
@click.option("--comment", default="", help="Optional note, e.g. 'calling the bureau' (500 characters).")
def ack_command(situation: str, by: str, comment: str) -> None:
    """Acknowledge SITUATION: the same as its notification's Acknowledge link.

    SITUATION is the id every notification prints ("situation 3f1c2a9b8d7e6f50") and the alert service
    logs. Until alerting.ack.holds_for has passed (default 24h), the situation is not notified again unless
    a new independent source or a higher severity comes in (that message then says who acknowledged it),
    and the receivers that got it are told "Acknowledged by NAME (COMMENT)". Every alert replica sees it.

    \b
    Example:
      newsmon ack 3f1c2a9b8d7e6f50 --by "Dana (night desk)" --comment "calling the bureau"
    """
    from services.alert.ack_desk import span
    from services.alert.ack_tokens import SITUATION
    from services.alert.acks import acknowledge, view_for
    from streambase.kafka import create_pipeline_topics, make_producer, send_and_wait
    from streambase.topics import Topics

    situation = situation.strip().lower()
    if not SITUATION.match(situation):
        raise click.BadParameter(
            "a situation id is 16 hex digits, as notifications print it (situation 3f1c2a9b8d7e6f50)",
            param_hint="SITUATION",
        )
    rt = runtime.start("ack")
    options = runtime.load_or_exit(rt).alerting.ack
    records = _read_deliveries(rt)
    if records is None:
        raise click.ClickException("no Kafka broker answers: nothing was acknowledged")
    now = SystemClock().now()
    previous = _read_ack(rt, situation)
    view = view_for(situation, records, previous, now, options)
    if view is None:
        raise click.ClickException(
            f"no notification about situation {situation} was delivered in the last "
            f"{span(options.link_valid_for)}: check the id (every notification prints it)"
        )
    try:
        ack = acknowledge(view, by, comment, now, "cli", options, previous=previous)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    create_pipeline_topics(rt.kafka)
    producer = make_producer(rt.kafka, "newsmon-ack-cli")
    try:
        send_and_wait(producer, Topics.from_settings(rt.kafka).acks, ack.situation, ack)
    finally:
        producer.close(timeout=10)
    title = f" ({view.title})" if view.title else ""
    click.echo(
        f"acknowledged situation {situation}{title} as {ack.by}; quiet for {span(options.holds_for)} unless "
        f"a new independent source or a higher severity comes in; telling {', '.join(view.receivers)}"
    )


def _read_ack(rt: ServiceSettings, situation: str) -> Acknowledgement | None:
    """The situation's current acknowledgement, if any (its used links stay refused)."""
    from schemas import InvalidMessage, decode
    from streambase.kafka import make_consumer
    from streambase.tables import read_compacted
    from streambase.topics import Topics

    consumer = make_consumer(rt.kafka, "newsmon-ack-cli", None)
    try:
        value = read_compacted(consumer, Topics.from_settings(rt.kafka).acks).get(situation)
    finally:
        consumer.close()
    try:
        return decode(Acknowledgement, value) if value is not None else None
    except InvalidMessage:
        return None


# -- newsmon silence -------------------------------------------------------------------------------------


@click.group("silence")
def silence_group() -> None:
    """Mute alerts whose labels match, for a while; every alert replica sees the change at once.

    \b
    Labels: rule, topic, severity, kind, and any labels a rule adds.
    """


@silence_group.command("add")
@click.option("--match", "matchers", multiple=True, required=True, help="label=value; repeat to narrow.")
@click.option("--for", "duration", required=True, help="How long, e.g. 30m, 2h, 1d.")
@click.option("--comment", default="", help="Why; shown in `silence list`.")
@click.option("--by", "created_by", default=None, help="Who; default: the current user.")
def silence_add(matchers: tuple[str, ...], duration: str, comment: str, created_by: str | None) -> None:
    """Add a silence.

    \b
    Example:
      newsmon silence add --match topic=iran_israel --for 2h --comment "known, desk is on it"
    """
    from services.alert.silences import new_silence, parse_matchers

    try:
        labels = parse_matchers(matchers)
        length = parse_duration(duration)
        if not isinstance(length, timedelta):
            raise ValueError(f"invalid duration {duration!r}: use a number with a unit, e.g. 90s, 5m, 2h, 1d")
        silence = new_silence(labels, length, comment, created_by or _user(), SystemClock().now())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    _publish_silence(silence)
    click.echo(f"added {silence.id}: {_describe(silence)}")


@silence_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include silences that have ended.")
def silence_list(show_all: bool) -> None:
    """Show silences, active ones first."""
    now = SystemClock().now()
    silences = [s for s in _read_silences() if show_all or s.ends_at > now]
    if not silences:
        click.echo("no silences" + ("" if show_all else " active (--all shows ended ones)"))
        return
    for silence in sorted(silences, key=lambda s: (not s.active_at(now), s.ends_at)):
        state = "active" if silence.active_at(now) else ("pending" if silence.starts_at > now else "ended")
        click.echo(f"{silence.id}  {state:<7} {_describe(silence)}")


@silence_group.command("expire")
@click.argument("silence_id")
def silence_expire(silence_id: str) -> None:
    """End a silence now."""
    from services.alert.silences import expired

    found = {s.id: s for s in _read_silences()}.get(silence_id)
    if found is None:
        raise click.ClickException(f"no silence {silence_id!r}; see `newsmon silence list --all`")
    _publish_silence(expired(found, SystemClock().now()))
    click.echo(f"expired {silence_id}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # containers may run as a uid without a name
        return "unknown"


def _describe(silence: Silence) -> str:
    matchers = ",".join(f"{k}={v}" for k, v in sorted(silence.matchers.items()))
    until = silence.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    by = f" by {silence.created_by}" if silence.created_by else ""
    return f"{matchers} until {until}{by}" + (f": {silence.comment}" if silence.comment else "")


def _publish_silence(silence: Silence) -> None:
    from streambase.kafka import create_pipeline_topics, make_producer, send_and_wait
    from streambase.topics import Topics

    rt = runtime.start("silence")
    create_pipeline_topics(rt.kafka)
    producer = make_producer(rt.kafka, "newsmon-silence-cli")
    try:
        send_and_wait(producer, Topics.from_settings(rt.kafka).silences, silence.id, silence)
    finally:
        producer.close(timeout=10)


def _read_silences() -> list[Silence]:
    from services.alert.silences import SilenceStore
    from streambase.kafka import make_consumer
    from streambase.tables import TopicTail
    from streambase.topics import Topics

    rt = runtime.start("silence")
    store = SilenceStore()

    def apply(key: str, value: Silence | None) -> None:
        if value is None:
            store.remove(key)
        else:
            store.apply(value)

    tail = TopicTail(
        make_consumer(rt.kafka, "newsmon-silence-cli", None),
        Topics.from_settings(rt.kafka).silences,
        Silence,
        apply,
    )
    try:
        tail.start(timeout=30)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        tail.close()
    return store.all()


# -- newsmon backtest ------------------------------------------------------------------------------------


@click.command("backtest")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path, allow_dash=True),
)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="newsmon.yaml with the rules.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per fired alert instead of a report.")
def backtest_command(files: tuple[Path, ...], config_path: Path | None, as_json: bool) -> None:
    """Replay articles through the rules with a simulated clock; print what would have fired, and when.

    FILES are JSON lines of classified articles, raw articles (classified first with the taxonomy) or trend
    windows, in any order; `-` reads standard input; a .txt file is one article (title on the first line).
    Articles without a story are grouped into stories as the service does, so window rules count
    independent reports the same way. No Kafka is needed: tune a rule here before switching it on.

    \b
    Examples:
      newsmon backtest articles.jsonl
      newsmon backtest --config my-rules-trial.yaml articles.jsonl
    """
    from services.alert.backtest import BacktestResult, backtest, read_items, text_article
    from services.alert.grouping import Timing

    rt = runtime.start("backtest")
    config = runtime.load_or_exit(rt, config_path)
    result = BacktestResult()
    opened = SystemClock().now()

    def items() -> Iterator[Item]:
        """Read lazily, so the progress bar also covers classifying raw articles."""
        for path in files:
            if path.suffix == ".txt":
                result.read += 1
                try:
                    yield text_article(path, opened)
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    result.problems.append(f"{path}: {exc}")
            else:
                yield from read_items(_lines(path), result, str(path))

    def classifier() -> Classifies:
        from services.classify.engine import Classifier

        return Classifier.from_taxonomy(config.taxonomy)

    options = config.alerting
    timing = Timing(options.group_wait, options.group_interval, options.repeat_interval)
    from services.classify.stories.stage import OfflineStories

    backtest(items(), config.rules, timing, classifier, result, OfflineStories())
    if as_json:
        for alert in result.fired:
            click.echo(alert.model_dump_json())
    else:
        _report(result, timing)
    for problem in result.problems[:20]:
        click.echo(f"skipped {problem}", err=True)


def _lines(path: Path) -> Iterator[str]:
    if str(path) == "-":
        yield from sys.stdin
        return
    size = path.stat().st_size
    with path.open(encoding="utf-8") as handle:
        if size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
            yield from handle
            return
        with click.progressbar(length=size, label=f"reading {path.name}", file=sys.stderr) as bar:
            for line in handle:
                bar.update(len(line.encode("utf-8")))
                yield line


def _report(result: BacktestResult, timing: Timing, out: IO[str] | None = None) -> None:
    span = ""
    if result.first and result.last:
        span = f", {_t(result.first)} to {_t(result.last)}"
    classified = f" ({result.classified} classified here)" if result.classified else ""
    skipped = f", {len(result.problems)} skipped" if result.problems else ""
    click.echo(f"read {result.read} item(s){classified}{skipped}{span}", file=out)
    click.echo(f"\n{len(result.fired)} alert(s) fired:", file=out)
    for alert in result.fired:
        topic = alert.topic or "-"
        click.echo(
            f"  {_t(alert.fired_at)}  {alert.severity.value.upper():<8} {alert.rule_id:<28} {topic:<18} "
            f"{alert.distinct_sources} source(s)  {alert.summary[:80]}",
            file=out,
        )
    suppressed = ", ".join(f"{k} {v}" for k, v in sorted(result.suppressed.items())) or "none"
    click.echo(
        f"\n{len(result.sent)} notification(s) would be sent (group_wait {_d(timing.group_wait)}, "
        f"group_interval {_d(timing.group_interval)}, repeat_interval {_d(timing.repeat_interval)}; "
        f"suppressed: {suppressed}):",
        file=out,
    )
    for sent in result.sent:
        n = sent.notification
        click.echo(
            f"  {_t(sent.at)}  {n.severity.value.upper():<8} {n.title}  [{n.topic or '-'}]  "
            f"{len(n.alerts)} alert(s), {n.distinct_sources} source(s)",
            file=out,
        )


def _t(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _d(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"

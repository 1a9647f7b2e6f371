"""The default receiver when nothing else is configured: readable text on stdout and `alerts.jsonl`.

A named console receiver writes `alerts.<name>.jsonl` beside it, so each keeps its own file."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from services.alert.digest import Digest
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.digest_text import render_digest_text
from services.alert.receivers.text import follow_up_text, render_text
from services.alert.retry import Delivered, Retry, Verdict
from streambase.clock import Clock, SystemClock


class ConsoleReceiver:
    def __init__(
        self,
        state_dir: Path,
        stream: TextIO | None = None,
        clock: Clock | None = None,
        name: str = "console",
    ) -> None:
        self.name = name
        self.path = state_dir / ("alerts.jsonl" if name == "console" else f"alerts.{name}.jsonl")
        self._stream = stream or sys.stdout
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        entry = {
            "receiver": self.name,
            "notification_id": notification.id,
            "sent_at": self._clock.now().isoformat(),
            "situation": notification.fingerprint,
            "ack_url": notification.ack_url,
            "severity": notification.severity.value,
            "title": notification.title,
            "summary": notification.summary,
            "topic": notification.topic,
            "topic_label": notification.topic_label,
            "signals": list(notification.signals),
            "signal_labels": list(notification.signal_labels),
            "distinct_sources": notification.distinct_sources,
            "alerts": [a.model_dump(mode="json") for a in notification.alerts],
        }
        return self._write(entry, render_text(notification))

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        entry = {
            "receiver": self.name,
            "notification_id": follow_up.id,
            "sent_at": self._clock.now().isoformat(),
            "type": "acknowledgement",
            "situation": follow_up.fingerprint,
            "acknowledged_by": follow_up.by,
            "comment": follow_up.comment,
            "acknowledged_at": follow_up.at.isoformat(),
        }
        return self._write(entry, follow_up_text(follow_up))

    def send_digest(self, digest: Digest) -> Verdict:
        entry = {
            "receiver": self.name,
            "notification_id": digest.id,
            "sent_at": self._clock.now().isoformat(),
            "type": "digest",
            "period_start": digest.period.start.isoformat(),
            "period_end": digest.period.end.isoformat(),
            "summary": digest.summary,
            "possible_repeat": digest.possible_repeat,
            "missed_periods": digest.missed,
            "topics": [
                {"topic": t.topic, "topic_label": t.label, "alerts": t.alerts, "situations": t.situations}
                for t in digest.topics
            ],
        }
        return self._write(entry, render_digest_text(digest))

    def _write(self, entry: Mapping[str, object], text: str) -> Verdict:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            return Retry("write_error")
        print(text + "\n", file=self._stream, flush=True)
        return Delivered()

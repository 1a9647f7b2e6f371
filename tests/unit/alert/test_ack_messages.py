"""What every receiver shows of acknowledging: the situation's id, the Acknowledge link (only when links
are configured), the note on a message that breaks through an acknowledgement, and the short follow-up;
a name someone typed is escaped like feed text, and each payload stays one its service takes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.alert.notification import AckNote, FollowUp, Notification
from services.alert.receivers import email, mattermost, slack_render, teams, webhook
from services.alert.receivers.text import follow_up_text, render_text
from tests.servers.slack import payload_problems
from tests.servers.teams import card_problems
from tests.unit.alert.factories import T0
from tests.unit.alert.test_grouping import alert

URL = "https://newsmon.example.org/ack/AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQl"
TYPED = "Dana <!channel> @all *bold* <b>x</b>"
"""A name as someone might type it: every receiver must show it as written, and none may act on it."""


def notification(ack_url: str | None = URL, note: bool = True) -> Notification:
    a = alert("a")
    acknowledged = AckNote(TYPED, T0, "a new independent source", "on <it>") if note else None
    return Notification("desk", a.fingerprint, (a,), ack_url=ack_url, acknowledged=acknowledged)


def follow_up() -> FollowUp:
    a = alert("a")
    return FollowUp("desk:ack-1", "desk", a.fingerprint, "Warning <b>", TYPED, T0, "on <it>", "Iran–Israel")


def test_slack_shows_the_situation_the_link_and_the_note_escaped() -> None:
    n = notification()
    payload = slack_render.render(n)
    text = json.dumps(payload, ensure_ascii=False)
    assert payload_problems(payload) == []
    assert f"<{URL}|Acknowledge>" in text
    assert f"situation `{n.fingerprint}`" in text
    assert "Acknowledged earlier by Dana &lt;!channel&gt; @all *bold* &lt;b&gt;x&lt;/b&gt;" in text
    assert "<!channel>" not in text
    plain = slack_render.render_plain(n)["text"]
    assert f"<{URL}|Acknowledge>" in plain
    assert "Acknowledged earlier by Dana &lt;!channel&gt;" in plain


def test_slack_follow_up_is_short_escaped_and_valid() -> None:
    payload = slack_render.render_follow_up(follow_up())
    assert payload_problems(payload) == []
    assert payload["text"].startswith(
        "Acknowledged by Dana &lt;!channel&gt; @all *bold* &lt;b&gt;x&lt;/b&gt;"
    )
    assert "(on &lt;it&gt;)" in payload["text"]
    assert "Warning &lt;b&gt; [Iran–Israel] · situation" in payload["text"]


def test_email_text_and_html_carry_the_link_the_situation_and_the_note_escaped() -> None:
    n = notification()
    text, page = render_text(n), email.render_html(n)
    assert f"Acknowledge: {URL}" in text
    assert f"Situation: {n.fingerprint}" in text
    assert (
        f"Acknowledged earlier by {TYPED} (2025-06-17 12:00 UTC); sent again: a new independent source."
        in text
    )
    assert f"<a href='{URL}'" in page
    assert "Acknowledged earlier by Dana &lt;!channel&gt; @all *bold* &lt;b&gt;x&lt;/b&gt;" in page
    assert "<b>x</b>" not in page


def test_email_follow_up_has_a_one_line_subject_and_an_escaped_body() -> None:
    message = email.follow_up_email(follow_up(), "newsmon@example.org", ["desk@example.org"], T0)
    assert message["Subject"] == f"[newsmon] Acknowledged by {TYPED} (on <it>): Warning <b>"
    html_part = message.get_body(("html",))
    assert html_part is not None
    assert "&lt;b&gt;x&lt;/b&gt;" in html_part.get_content()
    assert "Acknowledged by Dana" in follow_up_text(follow_up())


def test_teams_cards_carry_an_acknowledge_action_and_stay_valid() -> None:
    payload = teams.render(notification())
    assert card_problems(payload) == []
    card = payload["attachments"][0]["content"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Acknowledge", "url": URL}]
    texts = [b for b in card["body"] if b["type"] == "TextBlock"]
    assert all(TYPED not in b["text"] for b in texts), "a typed name goes only into TextRuns"
    assert card_problems(teams.render_follow_up(follow_up())) == []


def test_mattermost_links_and_escapes_the_name() -> None:
    payload = mattermost.render(notification())
    assert f"**[Acknowledge]({URL})**" in payload["text"]
    assert "@all" not in payload["text"]
    assert "&lt;\\!channel&gt;" in payload["text"]
    follow = mattermost.render_follow_up(follow_up())
    assert "@all" not in follow["text"]
    assert "Acknowledged by Dana" in follow["text"]


def test_the_webhook_body_carries_the_link_and_the_note_and_a_follow_up_of_its_own_type() -> None:
    document = webhook.body(notification(), T0)
    assert (document["type"], document["ack_url"]) == ("notification", URL)
    assert document["acknowledged_earlier"] == {
        "by": TYPED,
        "at": T0.isoformat(),
        "comment": "on <it>",
        "reason": "a new independent source",
    }
    follow = webhook.follow_up_body(follow_up(), T0 + timedelta(seconds=1))
    assert (follow["type"], follow["acknowledged_by"], follow["situation"]) == (
        "acknowledgement", TYPED, alert("a").fingerprint,
    )  # fmt: skip


@pytest.mark.parametrize("render", [slack_render.render, teams.render, mattermost.render])
def test_without_links_configured_no_message_offers_one(render: object) -> None:
    assert callable(render)
    assert "Acknowledge" not in json.dumps(render(notification(None, note=False)))
    assert "Acknowledge" not in render_text(notification(None, note=False))
    assert webhook.body(notification(None, note=False), T0)["ack_url"] is None

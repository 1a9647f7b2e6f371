"""`newsmon classify` and `newsmon eval` as a user runs them: JSON lines in, results out, in order."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newsmon.cli import cli

LINES = [
    {
        "id": "a",
        "title": "Shelling resumes",
        "text": "Artillery pounded positions near the border overnight.",
    },
    {"id": "b", "title": "Bake sale", "text": "The school raised money for new books."},
    {
        "id": "c",
        "title": "Ceasefire",
        "text": "The envoy urged both sides to agree to an immediate ceasefire.",
        "signals": ["ceasefire_call"],
        "topics": [],
    },
]


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_classify_writes_one_line_per_input_in_order_with_the_documented_shape() -> None:
    code, out, _ = run(["classify", "-"], jsonl(LINES))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert all(
        set(r) == {"id", "language", "topics", "signals", "actors", "escalation_score"} for r in results
    )
    strike = next(s for s in results[0]["signals"] if s["id"] == "military_strike")
    text = "Shelling resumes\n" + LINES[0]["text"]
    for evidence in strike["evidence"]:
        assert set(evidence) == {"text", "sentence", "start", "end"}
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert results[1]["language"] in ("en", "und")  # too short to tell for sure
    assert results[1] | {"language": "en"} == {
        "id": "b",
        "language": "en",
        "topics": [],
        "signals": [],
        "actors": [],
        "escalation_score": 0.0,
    }


def test_classify_accepts_raw_articles(tmp_path: Path) -> None:
    raw = {
        "id": "r1",
        "feed_id": "wire",
        "source": "Wire",
        "title": "Evacuation ordered",
        "summary": "Embassy staff were evacuated from the capital.",
        "published_at": "2026-01-01T00:00:00Z",
        "fetched_at": "2026-01-01T00:01:00Z",
    }
    path = tmp_path / "raw.jsonl"
    path.write_text(jsonl([raw]))
    code, out, _ = run(["classify", str(path)])
    assert code == 0
    assert "evacuation_notice" in {s["id"] for s in json.loads(out)["signals"]}


def test_unreadable_lines_are_named_on_stderr_and_the_rest_still_classified() -> None:
    stdin = (
        jsonl([LINES[0]]) + "{not json\n" + json.dumps({"id": "x", "title": "t"}) + "\n" + jsonl([LINES[1]])
    )
    code, out, err = run(["classify", "-"], stdin)
    assert code == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "b"]
    assert "line 2: not JSON" in err
    assert "line 3: missing field(s): text" in err


def test_explain_shows_each_signal_with_its_marked_passage() -> None:
    code, out, _ = run(["classify", "--explain", "-"], jsonl(LINES[:1]))
    assert code == 0
    assert "military_strike (escalatory, high" in out
    assert "[Artillery pounded]" in out


def test_a_taxonomy_under_edit_can_be_tried_and_its_errors_are_shown(tmp_path: Path) -> None:
    good = tmp_path / "t.yaml"
    good.write_text("signals:\n  - {id: bake, polarity: escalatory, patterns: [bak*]}\n")
    code, out, _ = run(["classify", "--taxonomy", str(good), "-"], jsonl(LINES[1:2]))
    assert code == 0
    assert [s["id"] for s in json.loads(out)["signals"]] == ["bake"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("signals:\n  - {id: bake, polarity: up, patterns: [bake]}\n")
    code, _, err = run(["classify", "--taxonomy", str(bad), "-"], "")
    assert code == 1
    assert f"{bad}:2: signals.0.polarity" in err


def test_eval_prints_per_label_scores_and_fails_below_the_threshold() -> None:
    code, out, _ = run(["eval", "-", "--errors"], jsonl([LINES[2]]))
    assert code == 0
    assert "ceasefire_call" in out
    assert "macro-F1" in out
    wrong = dict(LINES[2], signals=["nuclear"])
    code, out, err = run(["eval", "-", "--errors", "--min-macro-f1", "0.99"], jsonl([wrong]))
    assert code == 1
    assert "c: -nuclear +ceasefire_call" in out
    assert "below 0.990" in err


def test_eval_requires_gold_labels() -> None:
    code, _, err = run(["eval", "-"], jsonl(LINES[:1]))
    assert code == 1
    assert "line 1: gold labels 'signals' and 'topics' are required" in err


def test_false_alarms_counts_signals_on_non_conflict_texts_and_lists_them_with_evidence() -> None:
    corpus = [
        {
            "id": "s1",
            "register": "sport",
            "title": "Derby",
            "text": "Artillery pounded positions near the border.",
        },
        {"id": "s2", "register": "sport", "title": "Cup run", "text": "The home side won again on Sunday."},
        {
            "id": "w1",
            "register": "world",
            "title": "War",
            "text": "Artillery pounded positions near the border.",
        },
        {
            "id": "c1",
            "conflict": True,
            "title": "War",
            "text": "Artillery pounded positions near the border.",
        },
        {
            "id": "k1",
            "register": "local_crime",
            "title": "Stabbing",
            "text": "Police said two people were killed and three wounded in the stabbing.",
            "signals": ["casualties"],
        },
    ]
    code, out, _ = run(["eval", "--false-alarms", "--skip-register", "world", "-"], jsonl(corpus))
    assert code == 0, out
    assert "3 texts taken as non-conflict (2 marked conflict, left out)" in out
    assert "texts raising any signal: 1 = 333.3 per 1,000" in out
    assert "s1 [sport] military_strike: Artillery pounded positions near the border." in out
    assert "k1" not in out.split("alarms to review")[1]  # its casualties are in its gold labels


def test_false_alarms_rejects_a_conflict_mark_that_is_not_a_boolean() -> None:
    bad = {"id": "x", "title": "t", "text": "t", "conflict": "yes"}
    code, _, err = run(["eval", "--false-alarms", "-"], jsonl([bad]))
    assert code == 1
    assert "line 1: conflict must be true or false" in err


def test_the_default_taxonomy_meets_its_targets_on_the_labelled_sets(repo: Path) -> None:
    labelled = repo / "tests" / "fixtures" / "labelled"
    code, out, err = run(["eval", str(labelled / "heldout.jsonl"), "--min-macro-f1", "0.90"])
    assert code == 0, out + err
    code, out, err = run(["eval", str(labelled / "heldout-late.jsonl"), "--min-macro-f1", "0.85"])
    assert code == 0, out + err
    code, out, err = run(["eval", str(labelled / "heldout-last.jsonl"), "--min-macro-f1", "0.85"])
    assert code == 0, out + err
    code, out, err = run(["eval", str(labelled / "dev.jsonl"), "--min-macro-f1", "0.95"])
    assert code == 0, out + err

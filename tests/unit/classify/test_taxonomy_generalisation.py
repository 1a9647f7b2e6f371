"""Meanings the default taxonomy recognises in unfamiliar wording, and the other senses it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from services.classify.engine import Classifier


def signal_ids(classifier: Classifier, text: str) -> set[str]:
    return {signal.id for signal in classifier.analyse(text).signals}


@pytest.mark.parametrize(
    "text",
    [
        "Wardens went from house to house telling families in the hill hamlets to relocate before dark.",
        "A loudspeaker order to leave the eastern suburbs was repeated every hour.",
        "Four frontier villages were emptied of their residents on Tuesday.",
        "The ministry sent its non-essential personnel home as the fighting neared the capital.",
        "Seoul chartered ships and officials scrambled to get them out of the port city.",
    ],
)
def test_evacuation_orders_are_recognised_by_meaning(classifier: Classifier, text: str) -> None:
    assert "evacuation_notice" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Customers were told to leave the store when the fire alarm sounded.",
        "Gritters cleared the village lanes overnight.",
        "The mayor was cleared of wrongdoing by the inquiry.",
        "Pupils were sent home early as the blizzard closed the roads.",
        "A court order to leave the flat was served on the tenants.",
    ],
)
def test_everyday_leaving_and_clearing_is_no_evacuation(classifier: Classifier, text: str) -> None:
    assert "evacuation_notice" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Tehran said that if Israel touched its refineries, the whole region would go up in flames.",
        "Pyongyang said the exercise would be met with consequences Seoul would bitterly regret.",
        "The killing risks dragging both countries into a wider conflict.",
    ],
)
def test_conditional_threats_and_drift_towards_war_are_escalation(classifier: Classifier, text: str) -> None:
    assert "escalation_warning" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "A price spiral in commodity markets kept escalating, with wholesale costs up again.",
        "Economists warned the tax cut would push the country toward a fiscal catastrophe.",
        "The manager warned that if his side kept conceding, the club would pay dearly.",
    ],
)
def test_prices_budgets_and_sport_do_not_escalate(classifier: Classifier, text: str) -> None:
    assert "escalation_warning" not in signal_ids(classifier, text)


def test_raids_on_depots_are_strikes_but_police_raids_are_not(classifier: Classifier) -> None:
    assert "military_strike" in signal_ids(classifier, "Night raids targeted ammunition depots.")
    assert "military_strike" not in signal_ids(classifier, "Police raided the firm's offices.")


def test_a_us_threat_to_enter_the_fight_is_an_intervention_warning(classifier: Classifier) -> None:
    text = "Hezbollah said US bases would be fair game should Washington enter the fight."
    assert "us_intervention_warning" in signal_ids(classifier, text)


def test_haifa_and_iranian_nuclear_sites_name_the_iran_israel_theatre(classifier: Classifier) -> None:
    assert "iran_israel" in classifier.analyse("Iranian missiles struck Haifa overnight.").topics
    weighing = "Washington is weighing strikes on Iranian nuclear sites."
    assert "iran_israel" in classifier.analyse(weighing).topics


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Soldiers fired tear gas to disperse protesters outside parliament.", "military_strike"),
        (
            "Union leaders urged members to halt the strikes while talks on pensions continue.",
            "ceasefire_call",
        ),
        (
            "Tensions escalated at the shareholder meeting when the board rejected the bid.",
            "escalation_warning",
        ),
        (
            "The family moved out of the city to be closer to the children's grandparents.",
            "evacuation_notice",
        ),
        ("Four people died when their car hit a tree on the motorway.", "casualties"),
        ("The United States had no plans to send forces to the region.", "us_intervention_warning"),
    ],
)
def test_other_senses_of_the_new_vocabulary_are_refused(
    classifier: Classifier, text: str, signal: str
) -> None:
    assert signal not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Special forces stormed the compound, killing the militant leader.", "casualties"),
        ("African Union leaders demanded that the warring factions halt hostilities.", "ceasefire_call"),
        ("Government helicopters strafed rebel-held villages for a third day.", "military_strike"),
        (
            "Analysts fear the insurgency will spill across the border into neighbouring states.",
            "escalation_warning",
        ),
        ("The toll from the overnight strikes rose to 27.", "casualties"),
        ("Qatar is acting as a conduit between the militants and the government.", "mediation_offer"),
    ],
)
def test_paraphrases_from_other_theatres_are_recognised(
    classifier: Classifier, text: str, signal: str
) -> None:
    assert signal in signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("heldout-fresh.jsonl", 0.85),
        ("heldout-fresh2.jsonl", 0.85),
        ("heldout-blind.jsonl", 0.85),
        ("heldout-blind2.jsonl", 0.88),
        ("heldout-blind3.jsonl", 0.88),
        ("heldout-blind4.jsonl", 0.88),
        ("heldout-blind5.jsonl", 0.88),
        ("heldout-blind6.jsonl", 0.88),
        ("heldout-blind7.jsonl", 0.88),
        ("heldout-blind8.jsonl", 0.85),  # newsletter briefings: 0.883 on first contact
        ("heldout-blind9.jsonl", 0.85),  # social media posts: 0.868 on first contact
        ("dev.jsonl", 0.96),
    ],
)
def test_the_fresh_held_out_sets_and_the_grown_dev_set_stay_above_their_floors(
    repo: Path, name: str, floor: float
) -> None:
    path = repo / "tests" / "fixtures" / "labelled" / name
    result = CliRunner().invoke(cli, ["eval", str(path), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr

"""What the default taxonomy must report and must not: the examples, paraphrases and hard negatives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.article import RawArticle
from services.classify.engine import Classifier

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def article_from(text: str) -> RawArticle:
    title, _, body = text.partition("\n")
    return RawArticle(
        id="example", feed_id="f", source="s", title=title, content=body, published_at=NOW, fetched_at=NOW
    )


def test_the_kremlin_piece_yields_its_signals_topic_and_actors(
    classifier: Classifier, example_articles: dict[str, str]
) -> None:
    result = classifier.classify(article_from(example_articles["kremlin-galloping-escalation"]), NOW)
    signals = {s.id for s in result.signals}
    assert signals >= {
        "escalation_warning",
        "mediation_offer",
        "ceasefire_call",
        "evacuation_notice",
        "military_strike",
        "casualties",
        "nuclear",
    }
    assert "iran_israel" in result.topics
    assert {"RU", "IL", "IR", "AZ"} <= set(result.actors)
    restraint = result.signal("ceasefire_call")
    assert restraint is not None
    assert any("maximum restraint" in e.text for e in restraint.evidence)


def test_the_warning_to_washington_piece_yields_its_signals_and_topic(
    classifier: Classifier, example_articles: dict[str, str]
) -> None:
    result = classifier.classify(article_from(example_articles["russia-warns-us-intervention"]), NOW)
    signals = {s.id for s in result.signals}
    assert signals >= {
        "us_intervention_warning",
        "mediation_offer",
        "ceasefire_call",
        "military_strike",
    }
    assert "iran_israel" in result.topics


def test_passing_mentions_of_other_wars_do_not_become_topics(
    classifier: Classifier, example_articles: dict[str, str]
) -> None:
    for text in example_articles.values():
        topics = classifier.classify(article_from(text), NOW).topics
        assert "russia_ukraine" not in topics
        assert "israel_gaza" not in topics


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of workers went on strike over pay on Monday.",
        "Workers at the plant are on strike for a third day.",
        "Negotiators hope to strike a deal before the deadline.",
        "The two firms struck a deal worth two billion dollars.",
        "Galloping inflation has wiped out a decade of savings.",
        "Escalating housing costs are pushing families out of the city.",
        "The school held an evacuation drill on Tuesday morning.",
        "The ministry denied any plans to evacuate the embassy.",
        "Lightning struck the church tower during the storm.",
        "The striker struck twice in the second half.",
        "The customer complaint was escalated to a manager.",
        "The comedian killed it at the festival.",
        "A dead heat in the polls means the race is too close to call.",
        "The new nuclear reactor was connected to the grid after years of delays.",
        "A court-appointed mediator will meet both parents next week.",
        "Markets remained calm after the central bank's statement.",
        "Unresolved complaints can be escalated to an independent ombudsman under the new rules.",
        "The manager was bombarded with questions after the defeat.",
        "Their pace attack ripped through the top order before lunch.",
        "The embassy described the city as calm despite the military exercises offshore.",
        "The nuclear plant stays offline for scheduled maintenance, trimming the operator's output forecast.",
        "The casualty department will overspend its budget this year, health board papers show.",
        "The mediation service offered to mediate in the rail pay row after talks broke down.",
        "Hundreds gathered for the anniversary of the 1941 air raid that destroyed the docks.",
        "The visitors bombed forward after the break but the derby finished goalless.",
        "Beijing urged the US to stop arming the island.",
        "A bomb cyclone slammed into the coast overnight, knocking out power to thousands of homes.",
        "Residents complain of an invasion of cruise-ship tourists every summer.",
        "The navy ordered a second carrier strike group to the region.",
        "Three elderly people died in their homes as the killer heat showed no sign of breaking.",
        "Bin collections were hit as the refuse strike entered a second week.",
        "Grocers have called a truce in their price war on milk.",
        "Bomb disposal experts were called after a gardener unearthed a Second World War mortar round.",
        "The firm makes evacuated-tube solar collectors for homes.",
        "Pupils were evacuated to the playing fields as part of a county-wide emergency exercise.",
        "North Korea test-fired a new intercontinental ballistic missile into the sea.",
        "Three people were killed when a coach overturned on the motorway on Friday evening.",
        "Gardeners are warned of an invasion of box tree caterpillars.",
        "Speculation about a joint US-Japanese intervention to prop up the yen faded on Tuesday.",
        "The thriller follows a plot to kill a media mogul on live television.",
        "The first casualty of the merger is the helpdesk, and staff called the restructuring a massacre.",
        "Senate leaders are weighing the so-called nuclear option to push through judicial nominees.",
        "Customers can now escalate a billing complaint from the chatbot to a human agent.",
        "A magnitude-6.0 earthquake struck the east shortly before midnight, flattening homes.",
        "The opener struck twice in the first over as the top order collapsed.",
        "Gang members stormed the hillside town on Tuesday.",
        "An exhibition of drawings of the 1945 atomic bombing of Hiroshima opened this week.",
        "She rolled a strike in the final frame to win the county bowling league.",
        "Rival chains bombarded shoppers with discounts all week.",
        "The utility signed a contract for two reactors at a nuclear power plant due to come online in 2035.",
        "Our winger has been a nuclear weapon for us all season, the manager joked.",
        "Beijing warned that those who play with fire will get burned.",
        "The escalator at the station will be out of service for six weeks.",
        "The patient did not survive the operation, the hospital said.",
        "A drone came down in a field near the air base and investigators are examining the wreckage.",
        "Ohtani's decisive strike three came on a 101 mph fastball.",
        "The two rappers have called a ceasefire in their long-running feud.",
        "The budget is a guided missile aimed at the middle class, the opposition leader said.",
        "The regulator approved a 20-year life extension for the nuclear power plant.",
        "Residents practised moving into shelters during the annual civil defence drill.",
        "Our actions have been measured and non-escalatory, the ministry said.",
        "The council's legal bill in the dispute has escalated to 2.4 million pounds.",
        "Three clauses were shown in strike-through in the revised draft.",
        "The firm signed a nuclear power deal to build two reactors abroad.",
        "Gulf states kept channels open to both capitals.",
        "Beijing cautioned Washington against meddling in the Taiwan question.",
        "Senate leader eyes 'nuclear option' to break nominations logjam",
        "Dockworkers' strike halts operations at the port",
        "Kharkiv mayor dismisses evacuation rumours",
        "Lightning strikes kill 12 across Bihar",
        "KHNP wins Czech nuclear plant deal as Seoul eyes more exports",
        "Sirens sounded across the north as the annual air raid exercise required residents to take cover.",
        "Dealers must buy the underlying shares as prices approach the strike, options traders say.",
        "Brussels retaliated against American duties on steel with levies on bourbon.",
        "Residents were asked to practise moving to designated subway shelters during the exercise.",
        "Voters are being bombarded with political advertising months before the election.",
        "The selectors now face an escalation of a different kind: a debate about the team's batting.",
        "Traders observed a complete shutter-down strike against the new tax.",
        "The army remained on high alert along the entire front.",
        "The two parties agreed to a ceasefire in their war of words in the National Assembly.",
        "Five people were killed when a vehicle skidded off the road and plunged into a gorge.",
        "The prime minister performed the groundbreaking of the nuclear power plant.",
        "Planners approved a new nuclear power station on the estuary, due to open in the 2030s.",
        "The finance minister was the biggest casualty of the reshuffle.",
        "Peers asked about the geological disposal facility for nuclear waste.",
        "Dairy farmers say they are the casualties of the supermarket price war.",
        "Procedural brief: the 'nuclear option'",
        "The Chief Whip was seen shuttling between the lobbies before the vote.",
    ],
)
def test_hard_negatives_produce_no_signal(classifier: Classifier, text: str) -> None:
    assert classifier.analyse(text).signal_ids() == ()


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Moscow cautioned the White House not to get drawn into the fighting.", "us_intervention_warning"),
        ("Residents were told to leave the border villages.", "evacuation_notice"),
        ("Artillery pounded positions overnight.", "military_strike"),
        ("The Kremlin warned of a galloping escalation in the region.", "escalation_warning"),
        ("Analysts fear a wider regional war.", "escalation_warning"),
        ("Germany began flying its nationals out of the country on chartered flights.", "evacuation_notice"),
        ("Three soldiers were killed and five wounded in the raid on the base.", "casualties"),
        ("Norway said it stood ready to host talks between the two sides.", "mediation_offer"),
        ("The envoy urged both sides to exercise maximum restraint.", "ceasefire_call"),
        ("Jets struck the enrichment site at Fordow.", "nuclear"),
        ("Officials did not rule out air strikes on the port.", "military_strike"),
        ("Senators are weighing whether the US should join the air campaign.", "us_intervention_warning"),
        ("Analysts warned that the exchange of fire could quickly spiral.", "escalation_warning"),
        ("Any involvement would set the entire region ablaze, the spokesman said.", "escalation_warning"),
        ("The kingdom proposed hosting a meeting of both delegations.", "mediation_offer"),
        ("Foreign passport holders began leaving through the southern crossing.", "evacuation_notice"),
        ("Congress must vote before committing US forces to any operation.", "us_intervention_warning"),
        (
            "Senators forced a vote to bar sending American forces to war without approval from Congress.",
            "us_intervention_warning",
        ),
        ("The draft envisages a 60-day pause in fighting and a surge of aid.", "ceasefire_call"),
        (
            "The envoy was prepared to bring the two generals together to negotiate an end to the war.",
            "mediation_offer",
        ),
        (
            "Officials began shifting families from exposed hamlets to schools further from the border.",
            "evacuation_notice",
        ),
        ("Ukrainian drones set an oil depot ablaze overnight.", "military_strike"),
        (
            "Several governments pulled embassy staff and their families out of the capital.",
            "evacuation_notice",
        ),
        (
            "The consulate organised coaches to the border for citizens still in the west.",
            "evacuation_notice",
        ),
        ("Families had lost relatives in overnight shelling, the agency said.", "casualties"),
        (
            "Diplomats warned that the standoff could slip out of anyone's control within days.",
            "escalation_warning",
        ),
        (
            "Beijing said it was willing to provide a platform for dialogue between the two.",
            "mediation_offer",
        ),
        ("The spokesperson called on both sides to cool things down immediately.", "ceasefire_call"),
        ("The United Nations moved some non-essential staff to Jeddah.", "evacuation_notice"),
        (
            "Washington is pressing Jerusalem to hold off on any strike while talks continue.",
            "ceasefire_call",
        ),
        (
            "The first RAF flights carrying British nationals out of the country have landed.",
            "evacuation_notice",
        ),
        (
            "Capitals plead for restraint before the region is dragged into an open-ended war.",
            "escalation_warning",
        ),
        (
            "Such a step would fundamentally change the nature of the war, the spokesman said.",
            "escalation_warning",
        ),
        ("The time has come for the guns along the river to fall silent.", "ceasefire_call"),
        ("Beijing said it was willing to help revive dialogue between the two sides.", "mediation_offer"),
        (
            "The minister warned a seventh nuclear test would set off a dangerous spiral on the peninsula.",
            "escalation_warning",
        ),
        (
            "The embassy is arranging assisted departures for its nationals through the crossing.",
            "evacuation_notice",
        ),
        (
            "Another open-ended American war in the Middle East would make no one safer, the senator wrote.",
            "us_intervention_warning",
        ),
        ("The shelling of the border hamlets overnight left four dead.", "casualties"),
        (
            "Rescuers carried the lifeless bodies of two aid workers from the rubble of the school.",
            "casualties",
        ),
        ("Eighteen people did not survive the missile that came down beside a playground.", "casualties"),
        (
            "Eighteen people did not survive the missile that came down beside a playground.",
            "military_strike",
        ),
        ("The ministry said 21 of our soldiers fell on the field of honour.", "casualties"),
        (
            "Officials chartered buses to move families to temporary shelters outside the city.",
            "evacuation_notice",
        ),
        (
            "Asked whether US forces would come to Taiwan's defence, the president said they would.",
            "us_intervention_warning",
        ),
        ("The minister urged both capitals to keep showing restraint.", "ceasefire_call"),
        (
            "The spokesman warned that the flames of this adventurism would engulf the whole region.",
            "escalation_warning",
        ),
        ("Moscow said such a step would change the very nature of the conflict.", "escalation_warning"),
        ("The fighting threatens to draw in neighbouring states, the diplomat said.", "escalation_warning"),
        (
            "The Houthis threatened to extend their campaign to vessels in the Arabian Sea.",
            "escalation_warning",
        ),
        ("Oil rose in early trade after Israeli jets hit targets across Iran.", "military_strike"),
        ("Two stewards were among those hurt in the bombardment, the club said.", "casualties"),
        ("A residential block in the city was flattened from the air overnight.", "military_strike"),
        (
            "The envoy said he was prepared to convene the joint military committee at any time.",
            "mediation_offer",
        ),
        (
            "Moscow was ready to offer its services in settling the situation between the two capitals.",
            "mediation_offer",
        ),
        ("The church stood ready to help bring them to the table.", "mediation_offer"),
        ("We ask one thing of the men who lead us: stop the guns today.", "ceasefire_call"),
        ("The ministry urged the North to immediately cease provocations.", "ceasefire_call"),
        ("A halt to fighting around the plant should be the first item on the agenda.", "ceasefire_call"),
        (
            "Should the US side insist on sending military forces to the strait, it will bear consequences.",
            "us_intervention_warning",
        ),
        ("Is Washington about to join Israel's bombing campaign against Iran?", "us_intervention_warning"),
        ("Pyongyang said it would retaliate with all means, not excluding its nuclear force.", "nuclear"),
        ("Pyongyang threatens nuclear counterattack as US carrier docks in Busan", "military_strike"),
        ("The White House has not ruled out sending American troops to Ukraine.", "us_intervention_warning"),
        (
            "Pushing residents towards the border would turn a humanitarian catastrophe into a regional one.",
            "escalation_warning",
        ),
        ("The envoy urged both sides to commit to a nationwide ceasefire.", "ceasefire_call"),
        ("The EU representative offered to reconvene the two leaders in Brussels.", "mediation_offer"),
        ("Five citizens, among them two children, were martyred when warplanes bombed a home.", "casualties"),
        (
            "Leaflets instructed residents of 14 blocks to head immediately west to the humanitarian area.",
            "evacuation_notice",
        ),
        ("Medics said shellfire hit a school sheltering displaced families.", "military_strike"),
        ("Diplomats fear a border skirmish could turn into something far bigger.", "escalation_warning"),
        ("The envoy said they cannot afford a war that pulls in the whole region.", "escalation_warning"),
        ("Analysts say the standoff now has no obvious off-ramp.", "escalation_warning"),
        ("The mediator urged both militias to extend the fragile truce by a month.", "ceasefire_call"),
        (
            "Oslo said it was ready to bring the two delegations together to calm things down.",
            "mediation_offer",
        ),
        (
            "Moscow warned Washington that putting American soldiers on Ukrainian soil would be a mistake.",
            "us_intervention_warning",
        ),
        (
            "Lawmakers want a vote on whether the president needs permission before committing US forces.",
            "us_intervention_warning",
        ),
        ("Cairo offered to chair the follow-up technical talks between the delegations.", "mediation_offer"),
        ("Officials fear that neighbouring states could very quickly be drawn in.", "escalation_warning"),
        ("Analysts see a cycle of action and reaction on the peninsula.", "escalation_warning"),
        (
            "Members warned the air campaign was drawing American forces into an open-ended war.",
            "us_intervention_warning",
        ),
        ("The army said its ground assault on the town had begun.", "military_strike"),
        ("Officials issued compulsory departure orders for frontline villages.", "evacuation_notice"),
        ("The council met, a step widely read as nuclear signalling.", "nuclear"),
    ],
)
def test_paraphrases_are_recognised(classifier: Classifier, text: str, signal: str) -> None:
    assert signal in classifier.analyse(text).signal_ids()


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("The government ruled out an evacuation of foreign nationals.", "evacuation_notice"),
        ("An evacuation of the embassy was ruled out on Friday.", "evacuation_notice"),
        ("Washington was not considering military action against Iran.", "us_intervention_warning"),
        ("No one was killed in the incident, police said.", "casualties"),
        ("The army said reports that it had bombed the dam were false.", "military_strike"),
        ("The minister said the conflict was not escalating.", "escalation_warning"),
        ("The army denied on Monday that its troops had carried out any attack there.", "military_strike"),
        (
            "Kyiv categorically rejects any so-called truce that would freeze the front line.",
            "ceasefire_call",
        ),
        (
            "The government dismissed rumours that embassies were pulling their staff out of the capital.",
            "evacuation_notice",
        ),
        ("The spokesman dismissed social media reports of a drone attack on the base.", "military_strike"),
        ("Talk of evacuating the embassy was premature, an official said.", "evacuation_notice"),
        ("The White House ruled out sending American troops to Ukraine.", "us_intervention_warning"),
        ("Fact check: the video of a drone attack on the temple is fake.", "military_strike"),
        ("The governor said no such plan existed to evacuate the capital.", "evacuation_notice"),
        (
            "The spokesman dismissed social media reports of a drone attack on the base as fabricated.",
            "military_strike",
        ),
        (
            "Talk of evacuating the embassy was premature and no decision has been made, an official said.",
            "evacuation_notice",
        ),
    ],
)
def test_denied_or_ruled_out_reports_do_not_count(classifier: Classifier, text: str, signal: str) -> None:
    assert signal not in classifier.analyse(text).signal_ids()


def test_a_warning_not_to_intervene_is_no_negation(classifier: Classifier) -> None:
    analysis = classifier.analyse("Russia warned Washington not to intervene militarily in the war.")
    assert "us_intervention_warning" in analysis.signal_ids()


def test_actors_are_found_through_metonyms_in_order_of_mention(classifier: Classifier) -> None:
    analysis = classifier.analyse("The Kremlin and Tehran spoke; Beijing and the Pentagon stayed silent.")
    assert analysis.actors == ("RU", "IR", "CN", "US")


def test_the_pronoun_us_is_not_the_united_states(classifier: Classifier) -> None:
    assert classifier.analyse("Let us talk about it.").actors == ()
    assert classifier.analyse("The US embassy is closed.").actors == ("US",)


def test_a_denial_reaches_across_its_clause_but_a_plain_no_stays_local(classifier: Classifier) -> None:
    denied = classifier.analyse("The government denied reports that troops had opened fire on civilians.")
    assert "military_strike" not in denied.signal_ids()
    unhurt = classifier.analyse("Nobody was hurt in the drone attack, which damaged a warehouse.")
    assert "military_strike" in unhurt.signal_ids()
    assert "casualties" not in unhurt.signal_ids()


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of people will leave on holiday flights this weekend.",
        "The senator said the US should consider joining the trade pact.",
        "The company launched a new drone delivery service in three cities.",
        "The festival bombed with critics, who called it a disaster.",
        "The actor died at his home at the age of 87.",
        "Scientists at the nuclear research centre unveiled a new cancer treatment.",
        "The US and China agreed to a ceasefire in their trade war.",
    ],
)
def test_everyday_news_raises_nothing(classifier: Classifier, text: str) -> None:
    assert classifier.analyse(text).signal_ids() == ()


def test_a_denial_does_not_reach_past_despite(classifier: Classifier) -> None:
    text = "Officials said there were no plans to evacuate the city despite a missile attack on Tuesday."
    signals = classifier.analyse(text).signal_ids()
    assert "military_strike" in signals
    assert "evacuation_notice" not in signals


def test_a_call_to_avoid_inflaming_a_conflict_is_restraint_not_a_warning(classifier: Classifier) -> None:
    text = "Riyadh urged both sides to show restraint and avoid steps that would inflame the situation."
    signals = classifier.analyse(text).signal_ids()
    assert "ceasefire_call" in signals
    assert "escalation_warning" not in signals


def test_a_text_about_troops_for_ukraine_is_about_that_war_without_both_parties_in_one_sentence(
    classifier: Classifier,
) -> None:
    text = (
        "Senators said the White House should not rule out sending troops to Ukraine after the war. "
        "The Kremlin said that would make NATO a party to the conflict."
    )
    assert classifier.analyse(text).topics == ("russia_ukraine",)


def test_a_cricket_report_naming_india_and_pakistan_is_not_about_their_conflict(
    classifier: Classifier,
) -> None:
    cricket = "Pakistan's bowlers ripped through the Indian top order, taking four wickets before lunch."
    assert classifier.analyse(cricket).topics == ()
    assert (
        classifier.analyse("India v Pakistan: Kohli fires as India crush arch-rivals in Dubai").topics == ()
    )
    shelling = "Pakistan accused India of shelling villages along the border overnight."
    assert classifier.analyse(shelling).topics == ("india_pakistan",)


def test_the_zionist_regime_is_israel_and_a_tram_line_in_lviv_is_not_the_war(classifier: Classifier) -> None:
    threat = classifier.analyse("The IRGC vowed a crushing response to the Zionist regime's crime in Tehran.")
    assert threat.topics == ("iran_israel",)
    assert "IL" in threat.actors
    trams = "Lviv City Council said tram line 9 will resume running along Horodotska Street from Monday."
    assert classifier.analyse(trams).topics == ()


def test_a_short_bulletin_naming_both_parties_once_is_about_their_conflict(classifier: Classifier) -> None:
    bulletin = (
        "Warning from Moscow\n"
        "Russia cautioned Washington against joining the war between Israel and Iran. "
        "A spokesman called any American role reckless. "
        "Senators are split. "
        "Our correspondent says the mood is tense. "
        "More after the break."
    )
    assert classifier.analyse(bulletin).topics == ("iran_israel",)


def test_a_headline_ending_in_one_party_and_a_body_opening_with_the_other_make_no_topic(
    classifier: Classifier,
) -> None:
    text = "Trade talks resume with India\nPakistan's finance minister presented the budget on Tuesday."
    assert classifier.analyse(text).topics == ()


def test_fire_and_rescue_crews_with_soldiers_are_no_strike(classifier: Classifier) -> None:
    text = "Fire and rescue crews, supported by soldiers, took residents of 300 homes out by boat."
    assert classifier.analyse(text).signal_ids() == ("evacuation_notice",)

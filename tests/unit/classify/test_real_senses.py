"""Other senses that published news is full of, refused in general form, and the war senses kept beside them.

Each family came from real wire copy and feeds where the engine misread a word; the sentences here are
short paraphrases written for the test, not quotations.
"""

from __future__ import annotations

import pytest

from services.classify.engine import Classifier


def signal_ids(classifier: Classifier, text: str) -> set[str]:
    return {signal.id for signal in classifier.analyse(text).signals}


@pytest.mark.parametrize(
    "text",
    [
        "Copper climbed as a strike at the largest mine threatened supply.",
        "Train strike grips the capital",
        "Cocoa farmers issue strike threat",
    ],
)
def test_labour_disputes_are_not_military_strikes(classifier: Classifier, text: str) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "The cup final was settled by a penalty shootout.",
        "Edmonds double strike lifts Cards over Padres",
    ],
)
def test_sporting_strikes_are_not_military_strikes(classifier: Classifier, text: str) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Dozens of fishermen are missing after the hurricane's strike on the island.",
        "Two hurricanes struck the coast within a month.",
        "The virus can strike computers running older systems.",
        "Forty sailors died when a navy submarine sank in 2017.",
    ],
)
def test_disasters_and_accidents_are_not_military_strikes(classifier: Classifier, text: str) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "The army named the soldiers killed in an aircraft crash in Iraq.",
        "Two people were killed when a lorry collided with a train at a level crossing.",
    ],
)
def test_deaths_in_accidents_are_neither_strikes_nor_casualties(classifier: Classifier, text: str) -> None:
    assert not {"military_strike", "casualties"} & signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("The defence minister attacks Netanyahu over the war's aims.", "military_strike"),
        ("The new browser invades the market.", "military_strike"),
        ("The software maker opened a propaganda offensive against its rival.", "military_strike"),
        ("The studio is killing off the franchise.", "casualties"),
        ("The airline teetered on the brink of bankruptcy.", "escalation_warning"),
        ("The battle between satellite and cable television heats up.", "escalation_warning"),
    ],
)
def test_business_and_political_metaphors_are_not_war(classifier: Classifier, text: str, signal: str) -> None:
    assert signal not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Washington warns of an imminent attack on Israeli assets by Iran.",
        "The army warned of an imminent ground assault on the town.",
        "Aid agencies brace as a Rafah invasion looms.",
        "The airliner made an emergency landing after a bomb threat.",
    ],
)
def test_threatened_or_foiled_attacks_did_not_happen(classifier: Classifier, text: str) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


def test_washington_warning_of_an_attack_by_others_is_no_intervention_warning(classifier: Classifier) -> None:
    text = "U.S. warns of imminent attack on Israeli assets by Iran or its proxies"
    assert "us_intervention_warning" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "NATO intercepts three Russian jets over Estonian airspace.",
        "Fighters were scrambled to intercept two Russian bombers near Alaska.",
    ],
)
def test_air_policing_interceptions_are_not_strikes(classifier: Classifier, text: str) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Family takes helm at Bombardier",
        "Bombardier won an order for forty regional trains.",
    ],
)
def test_a_company_name_is_not_a_bombardment(classifier: Classifier, text: str) -> None:
    assert signal_ids(classifier, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Why you should watch Peacemaker, the superhero series",
        "The regulator offered to mediate between the two telecom companies.",
    ],
)
def test_mediation_between_non_parties_is_no_mediation_offer(classifier: Classifier, text: str) -> None:
    assert "mediation_offer" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("An Israeli strike on a building in Beirut killed four people.", "military_strike"),
        ("Russia struck Kharkiv overnight with drones and missiles.", "military_strike"),
        ("Air defences intercepted thirty drones over Kyiv overnight.", "military_strike"),
        ("Iran launched a missile attack on Israel overnight.", "military_strike"),
        ("Troops stormed the town after a week of shelling.", "military_strike"),
        ("Qatar offered to mediate between Israel and Hamas.", "mediation_offer"),
        ("Five soldiers were killed when their convoy was ambushed.", "casualties"),
    ],
)
def test_the_war_senses_beside_them_still_count(classifier: Classifier, text: str, signal: str) -> None:
    assert signal in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Injured Dawson and Pike were both left out of the squad for the opening qualifier.",
        "The winger came off the bench for the injured full-back in the second half.",
        "Kerr was injured as his club side edged their rivals in the derby on Saturday.",
    ],
)
def test_a_players_injury_anywhere_in_the_sentence_is_no_casualty(classifier: Classifier, text: str) -> None:
    assert "casualties" not in signal_ids(classifier, text)


def test_a_films_plot_is_no_casualty_and_people_injured_by_a_bomb_still_are(classifier: Classifier) -> None:
    plot = "The film follows a young widow across three decades after her husband is killed in a bar fight."
    assert "casualties" not in signal_ids(classifier, plot)
    bomb = "A car bomb exploded in a street outside the market and 17 people were injured."
    assert "casualties" in signal_ids(classifier, bomb)


@pytest.mark.parametrize(
    "text",
    [
        "The alerts will tell people how to go about getting hold of the patches.",
        "In the trial, children were given laptop computers to take home and do their work on.",
    ],
)
def test_telling_people_how_to_go_about_it_and_taking_laptops_home_are_no_evacuation(
    classifier: Classifier, text: str
) -> None:
    assert "evacuation_notice" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Negotiations over a Gaza ceasefire resumed in Cairo on Sunday.",
        "The president said he expects a quick truce between the two neighbours.",
        "The movement said it presented its vision for a ceasefire to the mediators.",
    ],
)
def test_seeking_a_ceasefire_in_talks_or_proposals_is_a_ceasefire_call(
    classifier: Classifier, text: str
) -> None:
    assert "ceasefire_call" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Negotiators said the truce had largely held for a week.",
        "The two phone makers ended their patent fight with a truce after years of negotiations.",
    ],
)
def test_a_truce_that_held_or_one_between_companies_is_no_call(classifier: Classifier, text: str) -> None:
    assert "ceasefire_call" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Free downloading has killed opportunities for new bands, one musician said.",
        "The flanker was sin-binned for killing the ball at the breakdown.",
        "Shareholders will vote to approve or kill the option plans.",
        "The script tries to kill the processes it started.",
    ],
)
def test_killing_with_nobody_and_no_violence_in_the_sentence_is_no_casualty(
    classifier: Classifier, text: str
) -> None:
    assert "casualties" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Militants kill 12 in an overnight raid on a northern village.",
        "Insurgents killed 3 in the north on Tuesday, the governor said.",
        "The killings sparked protests across the capital.",
        "The gunmen killed a police officer before fleeing.",
    ],
)
def test_killing_with_a_victim_a_toll_or_violence_near_still_counts(
    classifier: Classifier, text: str
) -> None:
    assert "casualties" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "About 50,000 people took out the funds, some investing their life savings.",
        "I suppose Americans get a kick out of watching a family like us.",
        "Observers said the operator was set to pull out of the $3bn deal.",
        "A painkiller used by 250,000 Australians has been withdrawn from sale.",
        "He was promoted to assistant manager following the departure of the coach.",
        "The food group will help the drug firm develop snacks containing the plant extract.",
    ],
)
def test_people_taking_out_funds_pulling_out_of_deals_or_drugs_withdrawn_are_no_evacuation(
    classifier: Classifier, text: str
) -> None:
    assert "evacuation_notice" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "European governments began flying their citizens out of Beirut on chartered aircraft.",
        "The embassy pulled its staff out of the capital overnight.",
    ],
)
def test_people_flown_or_pulled_out_of_a_city_are_still_evacuated(classifier: Classifier, text: str) -> None:
    assert "evacuation_notice" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "A denial of service attack bombarded the site with data from thousands of PCs.",
        "These attacks bombard websites with data in an attempt to overwhelm them.",
        "Top searches were about the natural disasters that have struck the country, such as hurricanes.",
    ],
)
def test_attacks_on_websites_and_what_storms_strike_are_no_military_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


def test_a_drone_striking_a_nuclear_sites_training_centre_still_is_one(classifier: Classifier) -> None:
    text = "A drone struck the training centre just outside the site perimeter, the agency said."
    assert "military_strike" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "A team has delayed the launch of its private rocket until at least January.",
        "A mystery rocket crashed into the moon and nobody is owning up.",
        "The striker struck twice in the first leg of the UEFA Cup tie.",
    ],
)
def test_private_rockets_the_moon_and_a_strikers_goals_are_no_military_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "More than 100,000 people are believed to have been killed in the country nearest the earthquake.",
        "The worst-hit areas are on the coast, with at least 23,000 people killed.",
        "Injured Toomer might be able to play tomorrow.",
        "Giants win sixth straight, but Schmidt is injured",
    ],
)
def test_the_dead_of_an_earthquake_and_an_injured_player_are_no_casualties(
    classifier: Classifier, text: str
) -> None:
    assert "casualties" not in signal_ids(classifier, text)


def test_people_killed_by_shelling_still_are_casualties(classifier: Classifier) -> None:
    text = "Shelling killed 12 civilians in the border town on Monday, officials said."
    assert "casualties" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of croakers have washed ashore, the latest mass deaths of the sport fish.",
        "The report linked it to 14 deaths, but the maker said the arthritis drug was safe.",
        "Vaccination prevented an estimated 235,000 deaths among vaccinated adults.",
        "Those who fall victim to these attacks can find their bank account cleaned out.",
        "The console maker had a stab at something similar last year.",
    ],
)
def test_animal_deaths_drug_deaths_and_online_fraud_are_no_casualties(
    classifier: Classifier, text: str
) -> None:
    assert "casualties" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "Cross-selling opportunities between banks and brokers are increasing, the analyst said.",
        "Spectators left the stadium during the game between the hosts and the visitors.",
        "The browser lets pages be arranged as tabs so users can switch easily between them.",
        "'Peacemaker' Star on That Shocking Moment and His Next Role",
    ],
)
def test_banks_and_brokers_a_game_between_teams_and_a_tv_series_are_no_mediation(
    classifier: Classifier, text: str
) -> None:
    assert "mediation_offer" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "The carmaker swung to a profit, but losses at its global automotive operations widened.",
        "The casino group bought a stake in the project as the two leading operators expand in the region.",
        "Freshwater from an ancient lake triggered a precipitous cooling of the region 8,200 years ago.",
    ],
)
def test_operations_that_widen_and_groups_that_expand_in_a_region_are_no_escalation(
    classifier: Classifier, text: str
) -> None:
    assert "escalation_warning" not in signal_ids(classifier, text)


def test_a_war_that_spreads_across_the_region_still_escalates(classifier: Classifier) -> None:
    text = "Officials warned the war could spread across the region within days."
    assert "escalation_warning" in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "It's a new start and all the top players see it as important.",
        "Smith has yet to decide the line-up for Meltdown, which begins in June.",
        "Local papers claimed the ink was harmful or even radioactive.",
        "The utility will buy an additional $160 million stake in the nuclear plant.",
    ],
)
def test_a_new_start_a_festival_radioactive_ink_and_a_stake_in_a_plant_are_no_nuclear_stakes(
    classifier: Classifier, text: str
) -> None:
    assert "nuclear" not in signal_ids(classifier, text)


def test_the_new_start_treaty_is_still_a_nuclear_stake(classifier: Classifier) -> None:
    assert "nuclear" in signal_ids(
        classifier, "Moscow suspended its part in New START, the last arms treaty."
    )


def test_sales_that_rocketed_since_a_show_hit_screens_are_no_strike(classifier: Classifier) -> None:
    text = "Sales of T-shirts and action figures have rocketed since the show hit screens."
    assert "military_strike" not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Franchisees hit the oil major in a lawsuit", "military_strike"),
        ("Salvation Army bell ringers booted from Target stores", "military_strike"),
        (
            "Polygon shapes on Mars suggest water, though the surface was bombarded by meteorites.",
            "military_strike",
        ),
        (
            "The bankruptcy court should not become involved in a US tax dispute, it said.",
            "us_intervention_warning",
        ),
        ("More than half a million people have been relocated to make way for the dam.", "evacuation_notice"),
    ],
)
def test_lawsuits_stores_planets_courts_and_dams_raise_no_war_signal(
    classifier: Classifier, text: str, signal: str
) -> None:
    assert signal not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("The striker teeters on the brink", "escalation_warning"),
        ("Firms hope new tools will stop staff numbers spiralling out of control.", "escalation_warning"),
        (
            "The ban threatens to reignite tensions between the regulator and the tobacco maker.",
            "escalation_warning",
        ),
        ("The star pleaded guilty to using a phone to try to broker a cocaine deal.", "mediation_offer"),
        ("Japan is ready to host the tournament, the organisers said.", "mediation_offer"),
        (
            "The Commission has called a truce in its battle with two states over breaching deficit limits.",
            "ceasefire_call",
        ),
    ],
)
def test_brinks_spirals_and_truces_of_sport_business_and_budgets_raise_nothing(
    classifier: Classifier, text: str, signal: str
) -> None:
    assert signal not in signal_ids(classifier, text)


@pytest.mark.parametrize(
    "text",
    [
        "The Ryder Cup team, wounded after a first day mauling, were facing a fight for survival.",
        "He is wary of wounded England after two straight defeats.",
        "The carmaker's heavy losses have convinced its partner to back away.",
    ],
)
def test_a_wounded_team_and_a_carmakers_heavy_losses_are_no_casualties(
    classifier: Classifier, text: str
) -> None:
    assert "casualties" not in signal_ids(classifier, text)


def test_attacks_that_killed_crew_in_the_red_sea_still_are(classifier: Classifier) -> None:
    text = "The sinking of two ships in the Red Sea, in attacks that killed four crew members, ended a lull."
    assert "casualties" in signal_ids(classifier, text)

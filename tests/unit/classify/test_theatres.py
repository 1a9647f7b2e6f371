"""The world's theatres and the actor gazetteer of the default taxonomy: each theatre is found in short wire
sentences and not in its namesakes' or the sport, markets and leisure pages'; every UN member state is an
actor, named by what names it and not by the everyday words its name shares."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from services.classify.engine import Classifier
from services.classify.matcher import Matcher
from services.classify.taxonomy import DEFAULT_TAXONOMY, ConfigError, load_taxonomy

UN_MEMBER_STATES = frozenset(
    """
    AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH CM CA
    CF TD CL CN CO KM CG CD CR CI HR CU CY CZ KP DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR GA GM
    GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA LV LB LS
    LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MD MC MN ME MA MZ MM NA NR NP NL NZ NI NE NG MK
    NO OM PK PW PA PG PY PE PH PL PT QA KR RO RU RW KN LC VC WS SM ST SA SN RS SC SL SG SK SI SB SO
    ZA SS ES LK SD SR SE CH SY TJ TZ TH TL TG TO TT TN TR TM TV UG UA AE GB US UY UZ VU VE VN YE ZM
    ZW
    """.split()  # noqa: SIM905 (a table to read, not a list to format)
)


def test_every_un_member_state_and_palestine_taiwan_and_kosovo_are_actors() -> None:
    codes = {actor.code for actor in load_taxonomy(DEFAULT_TAXONOMY).actors}
    assert len(UN_MEMBER_STATES) == 193
    assert UN_MEMBER_STATES | {"PS", "TW", "XK"} <= codes


def test_no_alias_names_two_actors() -> None:
    """An alias shared by two actors would name only the first: each spelling belongs to one actor."""
    matcher = Matcher()
    literals = {a.code: matcher.add_all(a.aliases) for a in load_taxonomy(DEFAULT_TAXONOMY).actors}
    shared = [(x, y) for (x, a), (y, b) in combinations(literals.items(), 2) if a & b]
    assert shared == []


def test_the_default_taxonomy_follows_at_least_twenty_theatres() -> None:
    topics = load_taxonomy(DEFAULT_TAXONOMY).topics
    assert len(topics) >= 20
    assert all(t.label and len(t.parties) == 2 and t.terms and t.unless for t in topics[6:])


THEATRE_SENTENCES = [
    ("sudan", "The Rapid Support Forces shelled El Fasher overnight, the army said."),
    ("sudan", "Sudan's army said it had retaken the presidential palace in Khartoum."),
    ("sudan", "Drones struck Port Sudan's airport for a third day."),
    ("yemen_red_sea", "Houthi missiles targeted a tanker in the Red Sea."),
    ("yemen_red_sea", "US jets struck radar sites near Hodeidah overnight."),
    ("syria", "Israeli jets struck targets near Damascus, Syrian state media said."),
    ("syria", "Clashes in Sweida killed dozens of people."),
    ("lebanon", "Israeli drones struck a car near Nabatieh in southern Lebanon."),
    ("lebanon", "Hezbollah fired a barrage of rockets at Kiryat Shmona."),
    ("sahel", "JNIM fighters stormed an army base near Djibo in Burkina Faso."),
    ("sahel", "Mali's junta said its drones struck a convoy near Kidal."),
    ("drc_east", "M23 rebels advanced on Goma, the UN said."),
    ("drc_east", "Congo accused Rwanda of sending troops across the border."),
    ("somalia", "Al-Shabaab fighters stormed a hotel in Mogadishu."),
    ("somalia", "A US air strike in Somalia killed militants, AFRICOM said."),
    ("myanmar", "Junta jets bombed a monastery in Sagaing region."),
    ("myanmar", "The Arakan Army seized a town in Rakhine state."),
    ("armenia_azerbaijan", "Artillery fire was heard in Stepanakert through the afternoon."),
    ("armenia_azerbaijan", "Armenia and Azerbaijan initialled a peace treaty in Washington."),
    ("serbia_kosovo", "Serb gunmen attacked Kosovo police in Banjska."),
    ("serbia_kosovo", "Serbia accused Kosovo of stoking tension along the border."),
    ("venezuela_guyana", "Venezuela massed troops near the Essequibo border."),
    ("venezuela_guyana", "A US strike on an alleged drug boat killed three people."),
    ("ethiopia", "Fano militiamen ambushed an army convoy in Amhara."),
    ("ethiopia", "Ethiopia and Eritrea massed troops along their border."),
    ("haiti", "Gangs overran Kenscoff, in the hills above Port-au-Prince."),
    ("haiti", "Kenyan police in Haiti exchanged fire with gang members."),
    ("libya", "Haftar's Libyan National Army moved troops toward the capital."),
    ("libya", "Clashes in western Libya killed nine people."),
    ("iraq", "A US strike in Iraq killed a militia commander."),
    ("iraq", "Kataib Hezbollah claimed a drone attack on Ain al-Asad."),
    ("afghanistan_pakistan", "Pakistani jets struck TTP hideouts across the Durand Line."),
    ("afghanistan_pakistan", "The Taliban said Pakistani strikes had killed civilians."),
    ("south_china_sea", "A Chinese ship fired water cannon at a Philippine vessel near Scarborough Shoal."),
    ("south_china_sea", "China and the Philippines traded blame for a collision at sea."),
    ("nigeria_lake_chad", "Boko Haram fighters attacked a village near Maiduguri."),
    ("nigeria_lake_chad", "ISWAP claimed an attack on troops in Borno state."),
    ("mozambique", "Insurgents attacked Macomia in Cabo Delgado."),
    ("mozambique", "Rwandan troops retook Mocimboa da Praia from the insurgents."),
    ("colombia", "ELN fighters clashed with FARC dissidents in Catatumbo."),
    ("colombia", "The Colombian army said a drone attack in Cauca killed two soldiers."),
]


@pytest.mark.parametrize(("topic", "text"), THEATRE_SENTENCES)
def test_each_theatre_is_found_in_wire_sentences(classifier: Classifier, topic: str, text: str) -> None:
    assert topic in classifier.analyse(text).topics


OTHER_SENSES = [
    ("sudan", "South Sudan's president reshuffled his cabinet in Juba."),
    ("sudan", "Sudan grass makes good summer forage for cattle."),
    ("sudan", "RSF, the press freedom group, said two journalists were detained."),
    ("yemen_red_sea", "Divers flock to Red Sea resorts near Hurghada every winter."),
    ("syria", "Syria beat Iraq 2-1 in a World Cup qualifier."),
    ("lebanon", "Police in Lebanon County arrested two men after a burglary."),
    ("sahel", "The Niger river burst its banks after heavy rain."),
    ("drc_east", "Traffic queued on the M23 motorway near Gatwick."),
    ("somalia", "Immigrants from Somalia opened a restaurant in Minneapolis."),
    ("myanmar", "A Burmese python was found in a garden in Florida."),
    ("armenia_azerbaijan", "Armenia and Azerbaijan drew 1-1 in a World Cup qualifier."),
    ("serbia_kosovo", "Serbia and Kosovo met in a football friendly."),
    ("venezuela_guyana", "Guyana and Venezuela drew 0-0 in a football friendly."),
    ("ethiopia", "Ethiopian Airlines opened a new route to Asmara in Eritrea."),
    ("haiti", "Haiti beat Kenya in a friendly football match."),
    ("libya", "Oil prices rose on fears of fighting in western Libya."),
    ("iraq", "U.S. oil prices rose on worries about supplies from Iraq."),
    ("afghanistan_pakistan", "Afghanistan beat Pakistan by six wickets in the T20."),
    ("south_china_sea", "China beat the Philippines in the basketball semi-final."),
    ("nigeria_lake_chad", "Chad scored twice as the county side won the cup."),
    ("mozambique", "Mozambique beat Rwanda in an Africa Cup of Nations qualifier."),
    ("colombia", "Colombia beat Venezuela 2-0 in a World Cup qualifier."),
]


@pytest.mark.parametrize(("topic", "text"), OTHER_SENSES)
def test_namesakes_and_other_pages_are_no_theatre(classifier: Classifier, topic: str, text: str) -> None:
    assert topic not in classifier.analyse(text).topics


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("A US strike in Iraq killed two people.", {"US", "IQ"}),
        ("Sudan's army said it had retaken the airport.", {"SD"}),
        ("The Tatmadaw bombed villages near Lashio.", {"MM"}),
        ("Chadian troops crossed into Nigeria.", {"TD", "NG"}),
        ("Jordan's king met the Egyptian president in Amman.", {"JO", "EG"}),
        ("Protesters marched through Tbilisi.", {"GE"}),
        ("Soldiers patrolled the streets of Niamey.", {"NE"}),
        ("The junta in Conakry postponed the vote.", {"GN"}),
        ("Turkey's foreign minister flew to China.", {"TR", "CN"}),
        ("Kosovo and Serbia met in Brussels with NATO officials.", {"XK", "RS", "EU", "XN"}),
    ],
)
def test_the_gazetteer_names_every_state_by_its_names_capital_and_forces(
    classifier: Classifier, text: str, actors: set[str]
) -> None:
    assert set(classifier.analyse(text).actors) == actors


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("Troops shelled rebel positions near Juba, South Sudan, on Monday.", ("SS",)),
        ("Police in the Congo Republic capital arrested dozens of protesters.", ("CG",)),
        ("South Sudan accused Sudan of bombing its border towns.", ("SS", "SD")),
    ],
)
def test_a_name_inside_a_longer_name_of_another_actor_is_no_mention_of_it(
    classifier: Classifier, text: str, actors: tuple[str, ...]
) -> None:
    assert classifier.analyse(text).actors == actors


@pytest.mark.parametrize(
    "text",
    [
        "Chad scored twice before half-time.",
        "Michael Jordan signed the jersey.",
        "Georgia voters went to the polls in Atlanta.",
        "The Niger river rose after the rains.",
        "She bought a guinea pig for the children.",
        "We roasted a turkey and set out the fine china.",
        "Add two chile peppers to the pot.",
        "Nice and Split are lovely in June.",
    ],
)
def test_namesakes_and_everyday_words_name_no_actor(classifier: Classifier, text: str) -> None:
    assert classifier.analyse(text).actors == ()


TOPIC_PAGES = """\
lexicon:
  sport: [football, qualifier~]
actors:
  - {code: RS, name: Serbia, aliases: [serbia]}
  - {code: XK, name: Kosovo, aliases: [kosovo]}
topics:
  - {id: serbia_kosovo, parties: [RS, XK], terms: [mitrovica], unless: ["@sport"]}
signals:
  - {id: strike, polarity: escalatory, patterns: [shelling]}
"""


def test_a_topic_leaves_out_the_pages_a_lexicon_group_names(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(TOPIC_PAGES, encoding="utf-8")
    classifier = Classifier.from_taxonomy(load_taxonomy(path))
    assert classifier.analyse("Serbia accused Kosovo of provocations.").topics == ("serbia_kosovo",)
    assert classifier.analyse("Serbia beat Kosovo in a World Cup qualifier.").topics == ()


def test_a_topic_naming_an_unknown_group_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(TOPIC_PAGES.replace('"@sport"', '"@sports"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_taxonomy(path)
    message = f"{path}:7: topics.0.unless.0: '@sports' names no lexicon group (known: sport)"
    assert str(caught.value) == message

"""Persons recall of issue 16, session 18's second cycle: a public figure named by one word the
model itself calls a person, with no cue in the article, vouched for by the archive. Each test
is a real sentence of a tuning file and fails with its switch off."""

from __future__ import annotations

from search.ingest.entities import persons as P
from tests.test_entity_quality import persons


def test_a_public_figure_named_by_the_surname_alone() -> None:
    """``KNOWN_MONONYMS``: "aurait salué Hitler" (round 7, orangesum-3050), "défend Morandini"
    (round 6, orangesum-17790), ""Wauquiez n'est peut-être pas crédible" (round 15,
    orangesum-22223): the model says PER, nothing in the sentence does; the archive names
    Adolf Hitler, Jean-Marc Morandini, Laurent Wauquiez in full."""
    text = (
        "C'est là qu'un membre du groupe \"aurait salué Hitler\", rapporte le département de "
        "Malines du parquet d'Anvers."
    )
    assert "Hitler" in persons(text)
    text = (
        "Celle-ci a ainsi taclé son ancien boss en ces termes sur Twitter : \"J'ai eu la chance "
        "de connaître Cyril Hanouna charmant et facétieux. Depuis qu'il a avalé du Bolloré, il "
        "ressemble à Trump et défend Morandini.\""
    )
    assert "Morandini" in persons(text)
    text = (
        "\"Le BA-ba de la politique, c'est aussi la bagarre. Il faut défendre ce que l'on fait\", "
        "entendrait-on à Matignon selon Le Parisien. \"Wauquiez n'est peut-être pas crédible "
        "quand il nous oppose à la France rurale."
    )
    assert "Wauquiez" in persons(text)


def test_a_firm_or_a_thing_named_after_a_person_stays_out() -> None:
    """``KNOWN_MONONYMS`` asks for a full name opened by a given name: "dessinées par
    Pininfarina" (round 8, orangesum-3415) is the design house, whose table name is
    ``automobili pininfarina``; and no thing's noun before it ("l'administration Trump")."""
    text = (
        "Le coupé deux portes/quatre places Maserati GranTurismo dont les lignes ont été "
        "dessinées par Pininfarina, a été conçu comme une interprétation moderne de la voiture."
    )
    assert "Pininfarina" not in persons(text)
    text = "mettre en oeuvre le plan de l'administration Trump pour le Proche-Orient"
    s = text.index("Trump")
    span, plain = (s, s + 5, "PER"), "il ressemble à Trump"
    assert P._known_mononyms(text, [span], [P._Candidate(["Trump"], s, s + 5)]) == set()
    s = plain.index("Trump")
    found = P._known_mononyms(plain, [(s, s + 5, "PER")], [P._Candidate(["Trump"], s, s + 5)])
    assert found == {("trump",)}


def test_a_public_figure_s_surname_the_model_calls_a_place() -> None:
    """``KNOWN_MONONYM_PLACES``: "aux cris de "Gaudin assassin!" (tuning half,
    orangesum-28540) and "vendus à Macron" (round 12, orangesum-28385), LOC to the model: the
    archive names Jean-Claude Gaudin and Emmanuel Macron in full, many times."""
    text = (
        "Plusieurs milliers de Marseillais ont défilé samedi en hommage aux victimes, exprimant "
        "leur \"colère noire\" à leur arrivée sous les fenêtres de l'hôtel de ville aux cris de "
        "\"Gaudin assassin! Gaudin démission!\""
    )
    assert "Gaudin" in persons(text)
    text = (
        "\"Malgré l'intervention du chef d'agence, qui a tenté de dialoguer avec ces manifestants "
        "reprochant 'aux médias d'être vendus à Macron', l'un de nos confrères a reçu des coups, "
        "de nombreuses insultes ont été proférées."
    )
    assert "Macron" in persons(text)


def test_a_surname_after_a_capitalised_word_or_a_thing_s_noun_stays_out() -> None:
    """``KNOWN_MONONYM_PLACES`` leaves "Biden" of "des pancartes pro-Joe Biden" (round 12,
    orangesum-35497: the model's LOC span is the surname alone) and "la loi dite Taubira"
    (unlabelled orangesum-12623)."""
    text = (
        "Les petits véhicules, qui arborent des pancartes pro-Joe Biden, le démocrate qui "
        "affrontera M. Trump en novembre, se dirigent vers le parking."
    )
    assert "Biden" not in persons(text)
    s = text.index("Biden")
    assert not P._surname_not_place(text, P._Candidate(["Biden"], s, s + 5))
    text = "Cette journée instituée en application de la loi dite Taubira de 2001 existe."
    s = text.index("Taubira")
    assert not P._surname_not_place(text, P._Candidate(["Taubira"], s, s + 7))
    text = "Cette journée instituée en application de la proposition de Taubira existe."
    s = text.index("Taubira")
    assert P._surname_not_place(text, P._Candidate(["Taubira"], s, s + 7))


def test_a_family_cue_before_a_given_name_that_is_a_word() -> None:
    """``FAMILY_CUE_WORDS``: "la nièce des frères Fabien et Jean-Michel Clain" (round 17,
    orangesum-21972): "Fabien" is a French word too, the cue says two brothers."""
    text = (
        "Une des deux mères de famille françaises soupçonnées d'appartenir au groupe État "
        "islamique pourrait être Jennifer Clain, la nièce des frères Fabien et Jean-Michel Clain, "
        "qui ont revendiqué au nom de Daesh les attentats du 13 novembre."
    )
    assert "Fabien Clain" in persons(text)

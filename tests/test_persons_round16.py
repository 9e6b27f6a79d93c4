"""Persons recall of issue 16, session 18: rules written from the names the tuning files miss
(round 16, ``bench/gold/entities-round16.jsonl``, released as tuning material, first) and the
classes they belong to. Each test is a real sentence and fails with its switch off."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_role_s_place_glued_to_the_name() -> None:
    """``PLACE_ROLE``: the model's ORG "Atlanta Keisha Lance Bottoms" and LOC "Géorgie Stacey
    Abrams" (round 16, orangesum-7718 and orangesum-4356): the place is the role's, the rest
    the person's name."""
    text = (
        "Dimanche, la maire démocrate d'Atlanta Keisha Lance Bottoms, s'est alarmée du manque "
        "de \"leaderhsip\" du locataire de la Maison Blanche."
    )
    assert "Keisha Lance Bottoms" in persons(text)
    text = (
        "L'ex-élue afro-américaine de Géorgie Stacey Abrams, autre colistière potentielle de "
        "Joe Biden, a jugé dimanche que la police devait être réformée."
    )
    assert "Stacey Abrams" in persons(text)


def test_two_given_names_share_a_surname() -> None:
    """``FAMILY_MORE``: "Giorgetto et Fabrizio Giugiaro" (round 13, orangesum-1695: the model
    spans "Giorgetto" alone as a place), "Jean-Claude et Gérard Roboly" (round 3,
    orangesum-25270: a hyphened given name) are two people of one family."""
    text = (
        "L'artisan italien a produit entre 1946 et 1992 quelque 75 véhicules de compétition.\n\n"
        "Giorgetto et Fabrizio Giugiaro proposent avec ce concept un coupé deux places aux "
        "formes sculptées, arborant un bouclier avant et des flancs rappelant ceux d'une "
        "Lamborghini Aventador."
    )
    assert "Giorgetto Giugiaro" in persons(text)
    text = (
        "4 ans plus tard, il crée son groupe Les Chats Sauvages avec Jean-Claude et Gérard "
        "Roboly. Mais l'aventure est de courte durée."
    )
    found = persons(text)
    assert "Jean-Claude Roboly" in found
    assert "Jean-Claude" not in found


def test_a_lower_case_le_inside_a_name() -> None:
    """``LOWER_PARTICLE``: "son avocat Stéphane le Buhan" (round 7, orangesum-19174): the press
    writes the surname's particle in lower case."""
    text = (
        "\"Il est très attaché à la présomption d'innocence et très touché par les graves "
        "accusations dont il fait l'objet\", a réagi dans un communiqué transmis à l'AFP son "
        "avocat Stéphane le Buhan: \"À ce titre, il souhaite bénéficier comme chaque justiciable "
        "de la présomption d'innocence\"."
    )
    assert "Stéphane le Buhan" in persons(text)


def test_an_epithet_after_le_is_no_surname() -> None:
    """``LOWER_PARTICLE`` stops at an animal or a people's name: "la mascotte du réseau, Serge
    le Lapin" (unlabelled orangesum-7884), "Walid le Koweitien" (unlabelled orangesum-33260)."""
    text = (
        "La RATP a lancé les hostilités en publiant sur le compte Twitter de la mascotte du "
        "réseau, Serge le Lapin, un montage photo de la station de métro bruxellois."
    )
    assert "Serge le Lapin" not in persons(text)
    text = (
        "Dans un campement en bordure d'une voie ferrée de Grande-Synthe, Walid le Koweitien "
        "de 29 ans et Falah l'Irakien quinquagénaire sont suspendus aux prévisions météo."
    )
    assert "Walid le Koweitien" not in persons(text)

"""Persons classes of issue 16, session 17, second cycle: rules written from round 15's errors
(``bench/gold/entities-round15.jsonl``, released as tuning material) and the classes they
belong to in the other tuning files and in unlabelled OrangeSum articles. Each test is a real
sentence and fails with its switch (or its data line) removed."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_two_letters_swapped_is_a_typo() -> None:
    """``TRANSPOSED``: "Nordhal Lelandais" once beside "Nordahl Lelandais" (round 15,
    orangesum-30786) is one person, under the article's usual form."""
    text = (
        "Affaire Maëlys : comment les enquêteurs ont prouvé la culpabilité de Nordahl "
        "Lelandais\nDos au mur, Nordahl Lelandais est passé aux aveux, mercredi 14 février.\n\n"
        "Mais à l'époque, la suspicion qui pesait sur Nordahl Lelandais n'était pas la même.\n\n"
        "La conclusion des experts n'a été versée au dossier que très récemment, et c'est grâce "
        "à elle que Nordhal Lelandais est passé aux aveux."
    )
    found = persons(text)
    assert "Nordahl Lelandais" in found
    assert "Nordhal Lelandais" not in found


def test_a_given_name_in_brackets_belongs_to_the_surname() -> None:
    """``PAREN_GIVEN``: "(Aurélien) Taché" (round 15, orangesum-16879) is Aurélien Taché."""
    text = (
        "Selon l'un des participants, \"le Premier ministre visait clairement (Aurélien) Taché. "
        "Beaucoup de gens en ont marre qu'il s'exprime en notre nom à tous\"."
    )
    found = persons(text)
    assert "Aurélien Taché" in found
    assert "Aurélien" not in found


def test_a_given_name_then_a_particle_and_a_surname() -> None:
    """``PARTICLE_NAME_TAILS``: the model's ORG "Armel" and LOC "Cléac'h" (round 8,
    orangesum-9476) make Armel Le Cléac'h; a given name after "de" is someone else's
    (unlabelled orangesum-7765, "Édith et Marcel de Claude Lelouch")."""
    text = (
        "\"Près de trois mois sans bateau, c'était long !\" Après un confinement studieux, Armel "
        "Le Cléac'h, Franck Cammas et les skippers du Pôle d'entraînement de Port-la-Forêt ont "
        "repris la mer."
    )
    found = persons(text)
    assert "Armel Le Cléac'h" in found
    assert "Armel" not in found
    text = (
        "Évelyne Bouix a également incarné le rôle de la \"môme Piaf\" dans Édith et Marcel de "
        "Claude Lelouch en 1982."
    )
    assert "Marcel de Claude" not in persons(text)


def test_data_lines_of_round_15() -> None:
    """Data lines: a celebrity site (``not_persons.txt``: "précise Purepeople", round 15
    orangesum-6211), a local news site (``actu`` in ``ORG_WORDS``: "Lorraine Actu", round 15
    orangesum-5740), a Breton given name (``first_names.txt``: "Gildas Morvan", round 15
    orangesum-5891, whose surname is a region)."""
    text = (
        "Une descente aux enfers qui l'a obligé à se séparer de sa Ferrari et de ses deux Aston "
        "Martin, précise Purepeople. Aujourd'hui, il ne vit plus \"qu'avec deux costumes\"."
    )
    assert "Purepeople" not in persons(text)
    text = (
        "Par ailleurs, comme l'a rappelé le préfet de Meurthe-et-Moselle dans des propos relayés "
        "par Lorraine Actu, le taux d'incidence est passé à plus de 20."
    )
    assert not {"Actu", "Lorraine Actu"} & set(persons(text))
    text = (
        "\"Bateau sous pilote, ça envoie du pâté !!!\": Gildas Morvan, le marin, et Christophe "
        "Miossec, l'artiste, se croient au large des îles du Cap Vert.\n\nGildas Morvan, skipper "
        "au riche palmarès qui a déjà remporté la 'vraie' édition de la Transat AG2R La "
        "Mondiale en 2012, a choisi de participer."
    )
    assert "Gildas Morvan" in persons(text)


def test_a_name_in_apposition_to_a_town_is_that_town() -> None:
    """``TOWN_APPOSITION``: "Bani Walid, ville située à 170 km" (round 15, orangesum-6961) is a
    town at each of its mentions."""
    text = (
        "\"Certains de leurs commandants se sont enfuis en direction de l'aéroport de Bani "
        "Walid, au sud-est de Tripoli\", a-t-il ajouté sur Facebook.\n\nBani Walid, ville située "
        "à 170 km au sud-est de Tripoli, a vu arriver il y a environ deux semaines de nombreux "
        "combattants pro-Haftar ayant fui le front de la capitale"
    )
    assert "Bani Walid" not in persons(text)

"""Persons, issue 16, session 19, second cycle: round 20 released as tuning material, every
tuning file's errors and 200 unlabelled OrangeSum articles (seed 2801) sorted into classes.
Each rule test is a real sentence of the article it came from and fails with its switch
(``SCREEN_ROLES``, ``ROLE_NAMED``) off (checked by setting each to ``False`` in
``persons.py``)."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_role_before_its_actor_in_brackets_is_no_person() -> None:
    """``SCREEN_ROLES``: "Joffrey de Peyrac (Robert Hossein)" (round 8, orangesum-16556),
    "Alexandre (Denis Podalydès), 55 ans" (unlabelled, orangesum-33943)."""
    text = (
        "Plus de cinquante ans après la diffusion du premier film au cinéma, Michèle Mercier "
        "reste Angélique, une héroïne mythique. Née dans les romans d'Anne Golon et de son mari "
        "Serge, Angélique de Sancé de Monteloup (surnommée Marquise des Anges) vivra une grande "
        "histoire d'amour avec Joffrey de Peyrac (Robert Hossein)."
    )
    found = persons(text)
    assert "Joffrey de Peyrac" not in found
    assert "Robert Hossein" in found
    text = (
        "Le film est né \"d'une envie assez ancienne\", poursuit ce père de famille de 59 "
        "ans.\n\nAlexandre (Denis Podalydès), 55 ans, doit prouver à sa femme, qui vient "
        "\"ponctuellement\" de le quitter, qu'il peut s'occuper de leurs deux jeunes enfants."
    )
    found = persons(text)
    assert "Alexandre" not in found
    assert "Denis Podalydès" in found


def test_the_roles_surname_alone_goes_with_it() -> None:
    """``SCREEN_ROLES``: "Le capitaine Martin Servaz (Charles Berling)" then "dans la peau du
    capitaine Servaz" (unlabelled, orangesum-16234)."""
    text = (
        "Le capitaine Martin Servaz (Charles Berling) se voit confier l'enquête, en équipe avec "
        "la jeune capitaine Irène Ziegler (Julia Piaton). Le casting de \"Glacé\" incarne "
        "parfaitement bien leur personnage respectif. Charles Berling, dans la peau du "
        "capitaine Servaz, torturé par son passé, est très convaincant."
    )
    found = persons(text)
    assert not any("Servaz" in p or "Ziegler" in p for p in found)
    assert "Charles Berling" in found and "Julia Piaton" in found


def test_an_actor_before_his_role_in_brackets_stays() -> None:
    """``SCREEN_ROLES`` skips a name after an actor's noun (unlabelled, orangesum-3817) and
    an article with no film nor series in it (a constructed guard)."""
    text = (
        "Un peu plus d'un mois avant sa sortie en salles, « Le Mans 66 » a fait l'actualité ce "
        "6 octobre avec la présence à Paris de son réalisateur James Mangold, et de ses deux "
        "comédiens vedettes, Matt Damon (Carroll Shelby) et Christian Bale (Ken Miles)."
    )
    found = persons(text)
    assert "Matt Damon" in found and "Christian Bale" in found
    text = "Le maire Jean Dupont (Pierre Martin) a signé le texte."
    assert "Jean Dupont" in persons(text)


def test_a_name_after_le_personnage_de_is_a_role() -> None:
    """``ROLE_NAMED``: "le chanteur incarnait le personnage de Narcisse Lalanne" (round 15,
    orangesum-32745), "Il y incarnait le personnage de Pavel Chekov" (unlabelled,
    orangesum-8507)."""
    text = (
        "Depuis quatre saisons, le chanteur incarnait le personnage de Narcisse Lalanne dans le "
        "célèbre jeu de France 2. Absent du casting cette année, il estime avoir été boycotté."
    )
    assert "Narcisse Lalanne" not in persons(text)
    text = (
        "Anton Yelchin faisait également partie du casting de la saga Star Trek, rebootée en "
        "2009 par le réalisateur J.J Abrams. Il y incarnait le personnage de Pavel Chekov."
    )
    found = persons(text)
    assert "Pavel Chekov" not in found
    assert "Anton Yelchin" in found


def test_a_known_person_after_le_personnage_de_stays() -> None:
    """``ROLE_NAMED`` leaves a name the archive knows as a person: "Un album de gags autour
    du personnage de Stéphane Plaza" (unlabelled, orangesum-11857: his own public figure)."""
    text = (
        "\"Un album de gags autour du personnage de Stéphane Plaza ! Qui s'adresse à tous\", "
        "souligne Public."
    )
    assert "Stéphane Plaza" in persons(text)

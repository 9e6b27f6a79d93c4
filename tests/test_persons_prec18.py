"""Persons precision, issue 16, session 18: classes of the wrong names left in the tuning files
(round 16 released as tuning material among them), sized on 300 unlabelled OrangeSum articles
read whole. Each test is a real sentence and fails with its switch (or its data lines) removed."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_surname_ends_with_its_particle_and_word() -> None:
    """``SURNAME_PARTICLE_TAILS``: "Bertrand Dutheil de la Rochère" (round 8, orangesum-27684,
    kept as "Bertrand Dutheil"), "Carlos Fernandez de Cossio" and "Thierry Pocquet du
    Haut-Jussé" (unlabelled orangesum-9752 and orangesum-30121, kept cut before the particle)."""
    text = (
        "\"Déjà sont divulguées des conclusions politiquement correctes, puis peu a peu vient une "
        "vérité autre\", a tweeté Bertrand Dutheil de la Rochère, président du microparti Patrie "
        "et Citoyenneté."
    )
    found = persons(text)
    assert "Bertrand Dutheil de la Rochère" in found
    assert "Bertrand Dutheil" not in found
    text = (
        "Ce serait \"le pire\" scénario pour les relations avec Cuba, assure dans un entretien à "
        "l'AFP Carlos Fernandez de Cossio, directeur général du département Etats-Unis au "
        "ministère cubain des Affaires étrangères."
    )
    found = persons(text)
    assert "Carlos Fernandez de Cossio" in found
    assert "Carlos Fernandez" not in found
    text = (
        "De quoi ouvrir un véritable débat.  Thierry Pocquet du Haut-Jussé est en effet revenu "
        "sur la chronologie précise du meurtre."
    )
    assert "Thierry Pocquet du Haut-Jussé" in persons(text)


def test_a_particle_then_a_place_or_a_common_word_ends_no_name() -> None:
    """``SURNAME_PARTICLE_TAILS`` leaves a party, a place and a given name after "de" alone."""
    text = (
        "Matteo Salvini de la Ligue a répondu. Gérard Collomb de Lyon aussi, dans Édith et Marcel "
        "de Claude Lelouch."
    )
    found = persons(text)
    assert "Matteo Salvini de la Ligue" not in found
    assert "Gérard Collomb de Lyon" not in found
    assert "Marcel de Claude" not in found


def test_parties_and_agencies_named_like_people() -> None:
    """Data lines (``not_persons.txt``): "députés Insoumis" (round 4, orangesum-9882), "Les
    députés En Marche" (round 7, orangesum-21068), "son parti, Forza Italia" (round 9,
    orangesum-32639); "l'agence spatiale russe Roskosmos", "le parti créé par son père, Nidaa
    Tounes" (unlabelled orangesum-7461, orangesum-14097)."""
    text = (
        "Le projet de loi sur les retraites à l'Assemblée est depuis une semaine le théâtre d'un "
        "bras de fer permanent entre députés Insoumis et majorité."
    )
    assert "Insoumis" not in persons(text)
    text = (
        "\"Est-ce qu'il y a deux catégories de députés? Les députés En Marche qui ont l'honneur "
        "de recevoir le président de la République\", a demandé Nicolas Dupont-Aignan."
    )
    assert "En Marche" not in persons(text)
    text = (
        "Silvio Berlusconi a également été testé positif, ont annoncé les médias italiens citant "
        "des sources de son parti, Forza Italia."
    )
    assert "Forza Italia" not in persons(text)
    text = (
        "Ces commentaires de l'agence spatiale russe Roskosmos interviennent après le décollage "
        "historique samedi en Floride. Le patron de Roskosmos, Dmitri Rogozine, avait affirmé la "
        "veille que la Russie suivait."
    )
    assert "Roskosmos" not in persons(text)
    text = (
        "Hafedh Caïd Essebsi, qui a gardé le contrôle du parti créé par son père, Nidaa Tounes, "
        "au prix de luttes de personnes qui ont décimé la formation."
    )
    assert "Nidaa Tounes" not in persons(text)


def test_given_names_spoken_of_as_names() -> None:
    """``NAMES_AS_WORDS``: given names near "prénom(s)" are names, not people: round 15
    (orangesum-5294, the novel "Les Prénoms épicènes"), unlabelled orangesum-22283 (the
    favourite names of the year). A full name beside them stays."""
    text = (
        "Il en fallait de l'énergie pour revenir avec un 27e roman, Les Prénoms épicènes, une "
        "histoire de vengeance entre Dominique et Claude (deux prénoms épicènes, qui conviennent "
        "aux hommes comme aux femmes)."
    )
    found = persons(text)
    assert "Dominique" not in found
    assert "Claude" not in found
    text = (
        "Quel est le palmarès des prénoms les plus en vogue pour les petites filles ? Emma, Jade, "
        "Louise, Alice et Chloé tiennent le haut du pavé, suivis de Lina, Rose, Léa, Anna et "
        "Mila. Les auteures notent la popularité des \"prénoms caméléons\", issus notamment "
        "l'Ancien Testament. \"Ils vont plaire aux parents laïcs et aux parents (...) pratiquants "
        "des trois monothéïsmes\", explique l'une des auteures, Stéphanie Rapoport, à BFMTV."
    )
    found = persons(text)
    assert not {"Emma", "Jade", "Louise", "Chloé", "Léa"} & set(found)
    assert "Stéphanie Rapoport" in found

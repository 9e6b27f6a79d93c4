"""Persons precision, issue 16, session 18: classes of the wrong names left in the tuning files
(round 16 released as tuning material among them), sized on 300 unlabelled OrangeSum articles
read whole. Each test is a real sentence and fails with its switch (or its data lines) removed."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_surname_ends_with_its_particle_and_word() -> None:
    """``SURNAME_PARTICLE_TAILS``: "Bertrand Dutheil de la Rochère" (round 8, orangesum-27684,
    kept as "Bertrand Dutheil"), "Franchet d'Esperey" and "Thierry Pocquet du Haut-Jussé"
    (unlabelled orangesum-20000 and orangesum-30121, kept cut before the particle)."""
    text = (
        "\"Déjà sont divulguées des conclusions politiquement correctes, puis peu a peu vient une "
        "vérité autre\", a tweeté Bertrand Dutheil de la Rochère, président du microparti Patrie "
        "et Citoyenneté."
    )
    found = persons(text)
    assert "Bertrand Dutheil de la Rochère" in found
    assert "Bertrand Dutheil" not in found
    text = (
        "Il s'agit de ceux qui ont leur tombeau aux Invalides : Foch, Lyautey, Maunoury, Fayolle "
        "et Franchet d'Esperey, contrairement à Joffre, Pétain et Gallieni."
    )
    found = persons(text)
    assert "Franchet d'Esperey" in found
    assert "Franchet" not in found
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

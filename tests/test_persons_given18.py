"""Persons recall of issue 16, session 18, second cycle: a private person named by the given
name alone (a witness, a child, a victim), told by a cue next to the name
(``GIVEN_ALONE_CUES``). Each test is a real sentence of a tuning file and fails with the
switch off; the last one is the counter-case the rule was narrowed on."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_pronoun_set_apart_after_the_given_name() -> None:
    """Round 13, orangesum-21019: "Elise, elle, réussit" (the model's LOC)."""
    text = (
        "Pendant ce temps, il tenait son manteau devant moi pour me cacher et regardait mon "
        'visage". Elise, elle, réussit à se retenir malgré la souffrance : "Je lui dis '
        'clairement que je ne me sens pas bien."'
    )
    assert "Elise" in persons(text)


def test_a_school_class_after_the_given_name() -> None:
    """Round 17, orangesum-11728: "Maxence, en CM2, est arrivé"."""
    text = (
        "A Lille aussi, certains enfants ont repris jeudi le chemin de l'école: à l'école "
        "Lalo-Clément, Maxence, en CM2, est arrivé muni d'un masque même s'il n'est pas "
        'obligatoire : "Je n\'ai pas peur pour moi, tout le monde dit qu\'on est juste porteurs".'
    )
    assert "Maxence" in persons(text)


def test_what_the_person_is_after_the_given_name() -> None:
    """Rounds 1-3, orangesum-10451 ("Sabri, jeune homme décédé"); the dev gold,
    orangesum-35611 ("Shan, restaurateur"); round 16, orangesum-21638 ("Camille, l'une de
    ses camarades")."""
    text = (
        "Plusieurs milliers de personnes ont participé à une marche blanche jeudi à Argenteuil "
        "(Val-d'Oise) en mémoire de Sabri, jeune homme décédé dans la nuit de samedi à dimanche "
        "dans un accident de moto, à proximité d'une voiture de police."
    )
    assert "Sabri" in persons(text)
    text = (
        "Pourtant, certains ne peuvent s'empêcher d'angoisser à l'idée de remettre leur enfant "
        "à l'école.\n\nShan, restaurateur dans le XIe arrondissement de Paris confie être "
        '"très sceptique".'
    )
    assert "Shan" in persons(text)
    text = (
        '"Brice était fantasque, débridé, plein d\'envie et d\'énergie, décrit à BFMTV '
        "Camille, l'une de ses camarades dans l'école de théâtre parisienne où Brice Le "
        'Mescam a été élève. "C\'était un clown capable de porter plusieurs masques."'
    )
    assert "Camille" in persons(text)


def test_a_kinship_noun_with_its_rank_before_the_given_name() -> None:
    """Round 7, orangesum-8398: "leur fils aîné Stefano"."""
    text = (
        "Marié depuis l'été 2015, le couple a fêté il y a à peine un mois, le 28 février "
        "dernier, le premier anniversaire de leur fils aîné Stefano. Une future naissance qui "
        "s'ajoute à celle, annoncée en novembre dernier."
    )
    assert "Stefano" in persons(text)


def test_an_animal_s_mother_is_no_cue() -> None:
    """Round 13, orangesum-11965: "Liya, la mère a mis bas" is a polar bear; a bare kinship
    noun is left out of the cues (``_kin_after`` wants "de" or a possessive)."""
    text = (
        "Deux oursons polaires naissent en Australie\n\nPour la seconde fois dans ce parc, "
        "Liya, la mère a mis bas le 26 avril. Ses deux petits pèsent seulement quelques "
        "centaines de grammes."
    )
    assert "Liya" not in persons(text)


def test_a_partner_before_the_given_name() -> None:
    """Round 6, orangesum-8876: "en couple avec Danyellah"."""
    text = (
        "Pas de bisexualité pour Michel Polnareff qui dit s'être calmé depuis qu'il est en "
        "couple avec Danyellah. Rien n'était sérieux avant elle selon lui."
    )
    assert "Danyellah" in persons(text)


def test_a_victim_named_by_the_given_name() -> None:
    """Round 15, orangesum-30786: "le principal suspect du meurtre de Maëlys" (the model's
    ORG and LOC); not when the article names her in full, "le viol de Maëlys de Araujo"
    (round 16, orangesum-3405): the full name's rules decide, and a given name alone beside
    it would be a second entry for one person."""
    text = (
        "Mais à l'époque, la suspicion qui pesait sur Nordahl Lelandais n'était pas la même. "
        "Depuis, les choses ont changé. Il apparaît comme le principal suspect du meurtre de "
        "Maëlys.\n\nLes juges d'instruction ont donc demandé aux enquêteurs de refaire les "
        "analyses."
    )
    assert "Maëlys" in persons(text)
    text = (
        "Mercredi, la Cour de cassation a rejeté deux pourvois du prévenu, ouvrant la "
        "possibilité de le poursuivre pour le viol de Maëlys de Araujo.\n\nDans le dossier "
        "grenoblois, Nordhal Lelandais est aussi poursuivi pour des agressions sexuelles "
        "commises quelques semaines avant le meurtre de Maëlys."
    )
    assert "Maëlys" not in persons(text)


def test_no_cue_after_a_role_played_or_a_disease() -> None:
    """Unlabelled (orangesum-9131, orangesum-18870), the wrong ones of the first pool
    check: a character ("celle qui incarnait Marie-Jeanne, la serveuse automate") and a
    disease named after a person ("malades atteints d'Alzheimer, mère célibataire")."""
    text = (
        "Depuis l'annonce du décès de sa mère, des centaines de fans se sont empressés de "
        "présenter leurs condoléances à celle qui incarnait Marie-Jeanne, la serveuse automate "
        "dans la célèbre comédie musicale Starmania."
    )
    assert "Marie-Jeanne" not in persons(text)
    text = (
        "Cette assistante de vie spécialisée auprès de malades atteints d'Alzheimer, mère "
        "célibataire, l'avait convié à un \"stage\" dans son quotidien, pour une journée auprès "
        "de ses patients."
    )
    assert "Alzheimer" not in persons(text)

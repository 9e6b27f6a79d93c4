"""Persons precision, issue 16, session 20: firms and a newspaper taken for persons (round 21
released as tuning material, 200 unlabelled OrangeSum articles drawn with seed 2921 and three
cue pools). Each rule test is a real sentence of the article it came from and fails with its
switch (``COACHBUILT``) off or its data line removed (``officiel`` in ``_PRESS_ADJECTIVES``,
``Motosports``/``Motorsports`` in ``data/firm_tails.txt``) (checked)."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_coachbuilder_is_no_person() -> None:
    """``COACHBUILT``: "carrossée par H.J. Mulliner" (round 18, orangesum-5799), "carrossée
    par Pininfarina" (unlabelled, orangesum-10004)."""
    text = (
        "Le coupé cabriolet transalpin a devancé sur le podium de Greenwich deux modèles "
        "assemblés dans les ateliers britannique de Crewe, à savoir une vénérable Bentley "
        "3/5.3 litres Le Mans Replica de 1924 carrossée par Van den Plas vendue 390 000 $ "
        "(349 744 €), et une Bentley S2 Continental Coupé de 1961 carrossée par H.J. Mulliner "
        "pour laquelle un collectionneur a dépensé 246 400 $ (220 966 €)."
    )
    assert not any("Mulliner" in p for p in persons(text))
    text = (
        "Parmi la trentaine de modèles Ferrari qu'elle présentera aux enchères lors de sa vente "
        "californienne de Monterey (24 et 25 août), la maison RM Sotheby's va proposer aux plus "
        "offrant une rare Ferrari 250 MM Berlinetta de 1953 carrossée par Pininfarina.\n\n"
        "Cette 250 MM (pour « Mille Miglia ») qui figure parmi les 31 exemplaires de ce modèle "
        "assemblés par Ferrari, est la quinzième des dix-huit « Berlinettas » réalisées par le "
        "maître Pininfarina."
    )
    assert "Pininfarina" not in persons(text)


def test_a_coachbuilder_named_with_his_given_name_stays() -> None:
    """``COACHBUILT`` keeps a name opened by a given name: "une Mercedes-Benz 600 de 1966
    également carrossée par Henri Chapron" (unlabelled, orangesum-3967)."""
    text = (
        "On notera enfin le cabriolet Delahaye 135M de 1939 carrossé par Chapron adjugé 331 250 "
        "€, ou encore une Mercedes-Benz 600 de 1966 également carrossée par Henri Chapron, pour "
        "laquelle le nouveau propriétaire a dépensé 342 500 €."
    )
    assert "Henri Chapron" in persons(text)


def test_an_official_newspaper_is_no_person() -> None:
    """``officiel`` a press adjective: "le quotidien officiel Rodong Sinmun" (round 21,
    orangesum-9428), "le journal officiel Rodong Sinmun" (unlabelled, orangesum-2664)."""
    text = (
        "Dimanche, le quotidien officiel Rodong Sinmun a publié des photos de la réunion de la "
        "Commission militaire centrale."
    )
    assert "Rodong Sinmun" not in persons(text)
    text = (
        "Un des tracts publiés par le journal officiel Rodong Sinmun présentait une image du "
        "président sud-coréen Moon Jae-in en train de boire dans une tasse."
    )
    assert "Rodong Sinmun" not in persons(text)


def test_a_racing_team_is_no_person() -> None:
    """``Motosports``, ``Motorsports`` firm tails: "pour Richard Petty Motosports" (round 21,
    orangesum-31755), "l'équipe de NASCAR Hendrick Motorsports" (unlabelled, orangesum-2258;
    its owner stays)."""
    text = (
        "Le pilote de 26 ans avait confirmé récemment qu'il ne courrait plus pour Richard Petty "
        "Motosports."
    )
    assert not any("Petty" in p for p in persons(text))
    text = (
        "Il s'agit de Rick Hendrick, le propriétaire de l'équipe de NASCAR Hendrick Motorsports."
    )
    found = persons(text)
    assert "Hendrick Motorsports" not in found
    assert "Rick Hendrick" in found
